import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MulterError } from 'multer';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** Upload-limit errors from multer, as the API's stable codes. */
function fromMulter(e: MulterError): AppError {
  switch (e.code) {
    case 'LIMIT_FILE_SIZE':
      return new AppError(413, 'file_too_large', 'the uploaded file is larger than MAX_UPLOAD_MB allows');
    case 'LIMIT_FILE_COUNT':
      return new AppError(400, 'too_many_files', 'too many files in one request');
    case 'LIMIT_UNEXPECTED_FILE':
      return new AppError(400, 'unexpected_field', `unexpected file field "${e.field ?? ''}"`);
    default:
      return new AppError(400, 'invalid_upload', e.message);
  }
}

/** Errors thrown by express's body parsers carry a `type`. */
function fromBodyParser(e: { type?: string; status?: number }): AppError | null {
  if (e.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'the request body is not valid JSON');
  if (e.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'the request body is too large');
  if (e.type && e.status && e.status >= 400 && e.status < 500) return new AppError(e.status, 'invalid_request', String(e.type));
  return null;
}

export function toAppError(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (e instanceof MulterError) return fromMulter(e);
  if (e && typeof e === 'object') return fromBodyParser(e as { type?: string; status?: number });
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
    const e = known ?? new AppError(500, 'internal_error', 'an unexpected error occurred; it has been logged');
    if (!known) log.error('unhandled error', { method: req.method, path: req.path, error: String((err as Error)?.stack ?? err) });
    res.locals.errorCode = e.code;
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(e.headers ?? {})) res.setHeader(k, v);
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } });
  };
}

export const notFoundRoute: RequestHandler = (req, _res, next) =>
  next(new AppError(404, 'not_found', `no route for ${req.method} ${req.path}`));
