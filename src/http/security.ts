import express, { type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';
import { AppError } from '../errors';
import { operationMatcher, operations } from './openapi';

/**
 * helmet's headers for a JSON API. The CSP forbids everything because API answers are never meant
 * to render; the web page route sets its own. no-store: answers carry names, attendance and face
 * data that no browser or proxy cache should keep.
 */
export function securityHeaders(config: Config): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // Sent only when configured: a browser that sees it refuses plain HTTP for max-age seconds.
    strictTransportSecurity: config.hstsMaxAge > 0 ? { maxAge: config.hstsMaxAge, includeSubDomains: false } : false,
  });
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    headers(req, res, next);
  };
}

/**
 * CORS for the origins in CORS_ORIGINS only, and nothing at all without it. Keys travel in
 * headers, never cookies, so credentials are not allowed. Preflights are answered here, before
 * the key check, since browsers send them without the key.
 */
export function cors(config: Config): RequestHandler {
  const allowed = new Set(config.corsOrigins);
  return (req, res, next) => {
    if (allowed.size === 0) return next();
    res.vary('Origin');
    const origin = req.get('origin');
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Session-Id, Content-Disposition');
    if (req.method !== 'OPTIONS' || !req.get('access-control-request-method')) return next();
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, X-API-Key, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}

/** The route still running after a timeout answer must not write (nor throw "headers already sent"). */
function silence(res: Response): void {
  const ignore = () => res;
  Object.assign(res, { setHeader: ignore, writeHead: ignore, write: () => true, end: ignore });
}

/**
 * 503 `timeout` for a request not answered in time, so a client is never left hanging. The work
 * itself (a queued or running recognition) cannot be aborted and finishes unseen.
 */
export function requestTimeout(ms: number): RequestHandler {
  return (_req, res, next) => {
    // Work that can be stopped (decoding a video) listens to res.locals.signal.
    const ac = new AbortController();
    res.locals.signal = ac.signal;
    const timer = setTimeout(() => {
      const e = new AppError(503, 'timeout', `the request was not answered within ${ms} ms`);
      ac.abort(e);
      if (res.headersSent) return;
      res.locals.errorCode = e.code;
      res.status(e.status).json({ error: { code: e.code, message: e.message } });
      silence(res);
    }, ms);
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) ac.abort(new AppError(499, 'client_closed_request', 'the client closed the connection before the answer'));
    });
    next();
  };
}

/**
 * JSON bodies are parsed after the key check, and only routes that take a base64 photo accept
 * up to MAX_UPLOAD_MB (plus base64's third); anything else is small and capped at 100 kB.
 */
export function jsonBody(config: Config): RequestHandler {
  const operationFor = operationMatcher(operations(config));
  const small = express.json({ limit: '100kb' });
  const large = express.json({ limit: `${config.maxUploadMb * 1.4}mb` });
  return (req, res, next) => (operationFor(req.method, req.path)?.largeJson ? large : small)(req, res, next);
}
