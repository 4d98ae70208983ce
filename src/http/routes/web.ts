import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import { PROJECT_ROOT } from '../../config';

/** index.html and styles.css are served as written; the page's TypeScript as compiled by tsconfig.web.json. */
const SOURCE_DIR = path.join(PROJECT_ROOT, 'src', 'web');
const COMPILED_DIR = path.join(PROJECT_ROOT, 'dist', 'web');

/** Libraries the page loads from node_modules, served from this origin (no CDN: the CSP allows 'self' only). */
const VENDOR: Record<string, string> = {
  'chartjs.js': path.join(PROJECT_ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'),
};

/** Assets are flat file names: anything else (dots, slashes, .ts sources) is not served. */
const ASSET = /^[a-z][a-z0-9-]*\.(js|css)$/;

/**
 * The page allows nothing but its own origin: no inline script or style, no third-party
 * request. `blob:` images are the teacher's own photo, drawn on a canvas before the boxes.
 * helmet's other headers come from the app-wide securityHeaders.
 */
const pagePolicy = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'blob:'],
    // The live camera's picture (a MediaStream) on the page.
    mediaSrc: ['mediastream:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
});

/** Revalidate (ETag) on each load so a new version of the page is picked up at once. */
const revalidate: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-cache');
  next();
};

/** The teacher page at `/`: public (operation access), the page holds no data and its API calls carry the session cookie. */
export function webRoutes(): Router {
  const r = Router();
  r.get('/', pagePolicy, revalidate, (_req, res) => {
    res.sendFile(path.join(SOURCE_DIR, 'index.html'));
  });
  // Anything but an asset name skips this route (and its headers) for the API's JSON 404.
  const assetName: RequestHandler = (req, _res, next) => next(ASSET.test(String(req.params.file)) ? undefined : 'route');
  r.get('/web/:file', assetName, pagePolicy, revalidate, (req, res, next) => {
    const name = String(req.params.file);
    const compiled = name.endsWith('.js');
    // A missing file falls through to the API's JSON 404.
    res.sendFile(VENDOR[name] ?? path.join(compiled ? COMPILED_DIR : SOURCE_DIR, name), (err) => {
      if (err && !res.headersSent) next();
    });
  });
  return r;
}
