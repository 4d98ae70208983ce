import express from 'express';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Services } from '../services/services';
import { errorHandler, notFoundRoute } from './errors';
import { requestLog } from './request-log';
import { authenticate } from './auth';
import { authorize } from './authorize';
import { accountRoutes, userRoutes } from './routes/accounts';
import { healthRoutes } from './routes/health';
import { singleSignOnRoutes } from './routes/single-sign-on';
import { classRoutes } from './routes/classes';
import { oneRosterRoutes } from './routes/oneroster';
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
  // Hops of X-Forwarded-For to believe: the client address of sign-in throttling, and HTTPS for cookies.
  app.set('trust proxy', config.trustProxy);
  const metrics = appMetrics(config, services.queue);
  app.use(metrics.middleware);
  app.use(requestLog(log));
  app.use(securityHeaders(config), cors(config), requestTimeout(config.requestTimeoutMs));
  // Health probes are answered ahead of the shutdown gate and of any credentials.
  app.use(healthRoutes(services));
  app.use(drain(services.lifecycle));
  // Who is calling, then whether they may (src/services/policy.ts, by each operation's access):
  // refused before any body is read, except a teacher's recognition form, read for its class_id.
  app.use(authenticate(services.keys, services.signIn), authorize(config, services.policy));
  app.use(rateLimit(config, services.rateLimits), jsonBody(config));
  app.use(metaRoutes(config, metrics));
  app.use(webRoutes());
  app.use(accountRoutes(services));
  app.use(singleSignOnRoutes(services));
  app.use(userRoutes(services));
  app.use(classRoutes(services));
  app.use(oneRosterRoutes(services));
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
