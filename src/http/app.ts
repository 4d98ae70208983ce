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
  app.use(requestLog(log));
  app.use(express.json({ limit: `${config.maxUploadMb * 1.4}mb` }));
  app.use(healthRoutes(services));
  app.use(requireApiKey(services.keys));
  app.use(classRoutes(services));
  app.use(studentRoutes(services));
  app.use(recognitionRoutes(services));
  app.use(sessionRoutes(services));
  app.use(notFoundRoute);
  app.use(errorHandler(log));
  return app;
}
