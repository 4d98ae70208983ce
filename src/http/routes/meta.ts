import { Router } from 'express';
import type { Config } from '../../config';
import type { AppMetrics } from '../http-metrics';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics';
import { openApiDocument } from '../openapi';

/** The document is public; /metrics is for admins unless METRICS_PUBLIC (see its operation's access). */
export function metaRoutes(config: Config, metrics: AppMetrics): Router {
  const r = Router();
  const document = openApiDocument(config);
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  r.get('/metrics', (_req, res) => {
    res.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
    res.send(metrics.render());
  });
  return r;
}
