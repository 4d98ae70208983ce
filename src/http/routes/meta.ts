import { Router } from 'express';
import type { Config } from '../../config';
import type { AppMetrics } from '../http-metrics';
import { openApiDocument } from '../openapi';

/** The document is public; /metrics is for admins unless METRICS_PUBLIC (see its operation's access). */
export function metaRoutes(config: Config, metrics: AppMetrics): Router {
  const r = Router();
  const document = openApiDocument(config);
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  r.get('/metrics', async (_req, res) => {
    const text = await metrics.render();
    res.setHeader('Content-Type', metrics.contentType);
    res.send(text);
  });
  return r;
}
