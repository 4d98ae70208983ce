import path from 'node:path';
import { Router, type Response } from 'express';
import { PROJECT_ROOT } from '../../config';

/** index.html and styles.css are served as written; the page's TypeScript as compiled by tsconfig.web.json. */
const SOURCE_DIR = path.join(PROJECT_ROOT, 'src', 'web');
const COMPILED_DIR = path.join(PROJECT_ROOT, 'dist', 'web');

/** Assets are flat file names: anything else (dots, slashes, .ts sources) is not served. */
const ASSET = /^([a-z][a-z0-9-]*)\.(js|css)$/;

/**
 * The page allows nothing but its own origin: no inline script or style, no third-party
 * request. `blob:` images are the teacher's own photo, drawn on a canvas before the boxes.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  // The live camera's picture (a MediaStream) on the page.
  "media-src mediastream:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function secure(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // Revalidate (ETag) on each load so a new version of the page is picked up at once.
  res.setHeader('Cache-Control', 'no-cache');
}

/** The teacher page at `/`; mounted before the API-key check: the page holds no data, its API calls send the key. */
export function webRoutes(): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    secure(res);
    res.sendFile(path.join(SOURCE_DIR, 'index.html'));
  });
  r.get('/web/:file', (req, res, next) => {
    const m = ASSET.exec(String(req.params.file));
    if (!m) return next();
    secure(res);
    // A missing file falls through to the API's JSON 404.
    res.sendFile(path.join(m[2] === 'js' ? COMPILED_DIR : SOURCE_DIR, m[0]), (err) => {
      if (err && !res.headersSent) next();
    });
  });
  return r;
}
