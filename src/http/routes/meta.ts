import { Router, type RequestHandler } from 'express';
import type { Config } from '../../config';
import type { ApiKeys } from '../../services/api-keys';
import { requireApiKey } from '../auth';
import type { AppMetrics } from '../http-metrics';
import { openApiDocument } from '../openapi';

/** Mounted before the global key check: the document is public, /metrics only with METRICS_PUBLIC. */
export function metaRoutes(config: Config, keys: ApiKeys, metrics: AppMetrics): Router {
  const r = Router();
  const document = openApiDocument(config);
  r.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  const guard: RequestHandler = config.metricsPublic ? (_req, _res, next) => next() : requireApiKey(keys);
  r.get('/metrics', guard, async (_req, res) => {
    const text = await metrics.render();
    res.setHeader('Content-Type', metrics.contentType);
    res.send(text);
  });
  return r;
}
