import type { Server } from 'node:http';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createApp } from '../http/app';
import { createServices } from '../services/services';
import { openDatabase } from '../store/open';
import { FacePipeline } from '../vision/pipeline';
import { verifyModels } from '../vision/provision';
import type { Command } from './commands';

/** Starts the HTTP service; SIGTERM/SIGINT finish in-flight requests, then close the database and the models. */
export async function serve(config: Config, log: Logger): Promise<Server> {
  verifyModels(config.modelsDir);
  const db = await openDatabase(config);
  const pipeline = await FacePipeline.load(config.modelsDir);
  const services = createServices(config, db, pipeline);
  const first = await services.keys.ensureFirstKey(config.dataDir);
  if (first) {
    process.stdout.write(
      `\nNo API_KEYS set: created API key "default" (shown once, also saved in ${first.file}):\n\n  ${first.key}\n\n`,
    );
  }
  const setup = await services.signIn.ensureSetupToken(config.dataDir);
  if (setup) {
    process.stdout.write(
      `\nNo user yet: open the page and create the first admin with this one-time setup token (also saved in ${setup.file}):\n\n  ${setup.token}\n\n`,
    );
    log.info('setup token created', { file: setup.file });
  }
  // Retention runs here and hourly; every process may run it, the statements are idempotent.
  const purge = () =>
    Promise.all([services.retention.purge(), services.signIn.purgeExpired()]).then(
      ([r, signIns]) => (r.sessions + r.photos + signIns > 0 ? log.info('retention purge', { ...r, sign_in_sessions: signIns }) : undefined),
      (e) => log.error('retention purge failed', { error: String(e) }),
    );
  await purge();
  const purgeTimer = setInterval(purge, 3600_000);
  purgeTimer.unref();
  const app = createApp({ config, log, services });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const addr = server.address();
  log.info('listening', { port: typeof addr === 'object' && addr ? addr.port : config.port, database: db.kind });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(purgeTimer);
    log.info('shutting down', { signal });
    // Stop accepting, let in-flight requests finish, then release the database and the embedder's
    // workers (exiting while a worker is inside an ONNX run would abort the process).
    server.close(() => {
      void Promise.allSettled([db.close(), pipeline.close()]).finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 30_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}

export const serveCommand: Command['run'] = async (_args, { config, log }) => {
  await serve(config, log);
  return 0;
};
