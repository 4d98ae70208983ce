import type { Request, RequestHandler } from 'express';
import multer, { MulterError } from 'multer';
import type { Config } from '../config';
import { AppError } from '../errors';

/** Uploads stay in memory (never a user-supplied name on disk), bounded in size and count. */
export function uploader(config: Config, maxMb = config.maxUploadMb) {
  return multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxMb * 1024 * 1024, files: config.maxFiles, fields: 50, fieldSize: 64 * 1024 },
  });
}

/** Request options from query parameters, multipart fields or JSON fields (body wins). */
export const paramsOf = (req: Request): Record<string, unknown> => ({
  ...req.query,
  ...(req.body && typeof req.body === 'object' ? req.body : {}),
});

/** Bytes an ordinary upload may have. */
export const uploadBytes = (config: Config) => config.maxUploadMb * 1024 * 1024;

export interface UploadedFile {
  name: string;
  data: Buffer;
}

/**
 * Runs a multer middleware only for multipart requests (JSON bodies carry base64 instead), and
 * turns a malformed multipart body (busboy's plain Errors) into a 400 rather than a 500.
 */
function multipartOnly(mw: RequestHandler): RequestHandler {
  return (req, res, next) => {
    // Read once: the policy may have read a recognition's form already to find its class_id.
    if (!req.is('multipart/form-data') || res.locals.formRead) return next();
    res.locals.formRead = true;
    mw(req, res, (err?: unknown) => {
      if (err && !(err instanceof MulterError)) {
        return next(new AppError(400, 'invalid_upload', `the multipart body could not be read: ${(err as Error).message}`));
      }
      next(err);
    });
  };
}

export const oneFile = (config: Config, field: string) => multipartOnly(uploader(config).single(field));

/**
 * A photo or a video: the larger of both limits lets the body in, and the service holds each
 * kind to its own once it has seen the bytes.
 */
export const oneMedia = (config: Config, field: string) => multipartOnly(uploader(config, Math.max(config.maxUploadMb, config.maxVideoMb)).single(field));

export const manyFiles = (config: Config, field: string) => multipartOnly(uploader(config).array(field, config.maxFiles));

/**
 * The uploaded file: multipart, or base64 in a JSON body under one of `jsonFields`
 * (the classic API sends {"file": "<base64>"}; data: URLs are accepted too).
 */
export function fileOf(req: Request, field: string, jsonFields: string[], maxBytes: number): UploadedFile {
  if (req.file) return { name: req.file.originalname || field, data: req.file.buffer };
  if (req.is('application/json') && req.body && typeof req.body === 'object') {
    for (const f of jsonFields) {
      const v = (req.body as Record<string, unknown>)[f];
      if (typeof v !== 'string') continue;
      const b64 = v.replace(/^data:[^;,]*;base64,/, '');
      if (!/^[A-Za-z0-9+/=\s_-]*$/.test(b64)) throw new AppError(400, 'invalid_image', `"${f}" is not valid base64`);
      const data = Buffer.from(b64, 'base64');
      if (data.length > maxBytes) throw new AppError(413, 'file_too_large', 'the uploaded file is larger than MAX_UPLOAD_MB allows');
      return { name: f, data };
    }
  }
  throw new AppError(400, 'no_file', `send the photo as multipart field "${field}"${jsonFields.length ? ` or as base64 JSON {"${jsonFields[0]}": ...}` : ''}`);
}
