import express from 'express';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Services } from '../services/services';
import { errorHandler, notFoundRoute } from './errors';
import { requestLog } from './request-log';
import { requireApiKey } from './auth';
import { healthRoutes } from './routes/health';
import { classRoutes } from './routes/classes';
import { studentRoutes } from './routes/students';
import { recognitionRoutes } from './routes/recognition';
import { sessionRoutes } from './routes/sessions';
import { webRoutes } from './routes/web';
import { webhookRoutes } from './routes/webhooks';
import { metaRoutes } from './routes/meta';
import { auditRoutes } from './routes/audit';
import { appMetrics } from './http-metrics';
import { cors, jsonBody, requestTimeout, securityHeaders } from './security';
import { rateLimit } from './rate-limit';
import { drain } from './drain';
import { backupRoutes } from './routes/backups';

export interface AppDeps {
  config: Config;
  log: Logger;
  services: Services;
}

/** Builds the HTTP app from its dependencies; tests build it with either database backend. */
export function createApp({ config, log, services }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = appMetrics(config, services.queue);
  app.use(metrics.middleware);
  app.use(requestLog(log));
  app.use(securityHeaders(config), cors(config), requestTimeout(config.requestTimeoutMs));
  app.use(healthRoutes(services));
  app.use(drain(services.lifecycle));
  app.use(metaRoutes(config, services.keys, metrics));
  app.use(webRoutes()); // the teacher page: no key needed to load it, its API calls send one
  app.use(requireApiKey(services.keys));
  // Refused before any body is read; JSON is parsed only for a valid key.
  app.use(rateLimit(config, services.rateLimits), jsonBody(config));
  app.use(classRoutes(services));
  app.use(studentRoutes(services));
  app.use(recognitionRoutes(services));
  app.use(sessionRoutes(services));
  app.use(webhookRoutes(services));
  app.use(auditRoutes(services));
  app.use(backupRoutes(services));
  app.use(notFoundRoute);
  app.use(errorHandler(log));
  return app;
}
