import type { Express } from 'express';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/http/app';
import { createServices, type Services } from '../../src/services/services';
import { FacePipeline } from '../../src/vision/pipeline';
import { createTestDb, type TestDb } from './test-db';

export const API_KEY = 'test-key-0123456789abcdef';
export const auth = { Authorization: `Bearer ${API_KEY}` };

export interface TestApp {
  app: Express;
  config: Config;
  services: Services;
  /** The models the app runs, for tests that look at faces and embeddings directly. */
  pipeline: FacePipeline;
  t: TestDb;
  close(): Promise<void>;
}

/**
 * The real app over a fresh database of the selected backend and the real models (provisioned
 * into MODELS_DIR by `npm test`'s setup step). Logs are silenced; the rate limit is off unless a
 * test sets RATE_LIMIT_PER_MIN.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestDb();
  const config = loadConfig({ ...process.env, API_KEYS: API_KEY, LOG_LEVEL: 'silent', DATA_DIR: t.options.dataDir, RATE_LIMIT_PER_MIN: '0', ...env });
  const pipeline = await FacePipeline.load(config.modelsDir);
  const services = createServices(config, t.db, pipeline);
  services.lifecycle.ready();
  const app = createApp({ config, log: createLogger(process.env.TEST_LOG === '1' ? 'error' : 'silent'), services });
  return { app, config, services, pipeline, t, close: () => t.cleanup() };
}
