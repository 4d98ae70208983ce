import { Router, type RequestHandler } from 'express';
import type { Config } from '../../config';
import type { ApiKeys } from '../../services/api-keys';
import { requireApiKey } from '../auth';
import type { AppMetrics } from '../http-metrics';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics';
import { openApiDocument } from '../openapi';

/** Mounted before the global key check: the document is public, /metrics only with METRICS_PUBLIC. */
export function metaRoutes(config: Config, keys: ApiKeys, metrics: AppMetrics): Router {
  const r = Router();
  const document = openApiDocument(config);
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  const guard: RequestHandler = config.metricsPublic ? (_req, _res, next) => next() : requireApiKey(keys);
  r.get('/metrics', guard, (_req, res) => {
    res.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
    res.send(metrics.render());
  });
  return r;
}
