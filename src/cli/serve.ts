import type { Server } from 'node:http';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createApp } from '../http/app';
import { createServices, type Services } from '../services/services';
import { WebhookDeliverer } from '../services/webhook-delivery';
import { openDatabase } from '../store/open';
import { FacePipeline } from '../vision/pipeline';
import { verifyModels } from '../vision/provision';
import type { Command } from './commands';
import { removeServeAddress, writeServeAddress } from './serve-address';

/** Closing the models and the database after the drain gets this long before the process gives up. */
const CLOSE_GRACE_MS = 10_000;

/** Retention now and hourly; every process may run it, the statements are idempotent. */
function scheduleRetention(services: Services, log: Logger): NodeJS.Timeout {
  const purge = () =>
    Promise.all([services.retention.purge(), services.retention.purgeWebhookEvents(), services.signIn.purgeExpired()]).then(
      ([r, webhookEvents, signIns]) =>
        r.sessions + r.photos + r.embeddings + webhookEvents + signIns > 0
          ? log.info('retention purge', { ...r, webhook_events: webhookEvents, sign_in_sessions: signIns })
          : undefined,
      (e) => log.error('retention purge failed', { error: String(e) }),
    );
  void purge();
  return setInterval(purge, 3600_000).unref();
}

/** Scheduled backups of the embedded database (BACKUP_DIR), checked at start and hourly or more often. */
function scheduleBackups(config: Config, services: Services, log: Logger): NodeJS.Timeout | null {
  const dir = config.backupDir;
  if (!dir) return null;
  const everyMs = config.backupEveryHours * 3600_000;
  const run = () =>
    services.backups.runScheduled(dir, everyMs, config.backupKeep).then(
      (file) => (file ? log.info('backup written', { file }) : undefined),
      (e) => log.error('scheduled backup failed', { error: String((e as Error).message ?? e) }),
    );
  void run();
  return setInterval(run, Math.min(everyMs, 3600_000)).unref();
}

/**
 * Starts the HTTP service. SIGTERM/SIGINT: readiness turns 503 and new requests get 503
 * shutting_down while those in flight finish (up to SHUTDOWN_TIMEOUT_MS); then the embedder's
 * workers are closed before the database (exiting inside an ONNX run aborts the process), exit 0.
 */
export async function serve(config: Config, log: Logger): Promise<Server> {
  verifyModels(config.modelsDir);
  const db = await openDatabase(config, log);
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
  const timers = [scheduleRetention(services, log), scheduleBackups(config, services, log)];
  // Every process sends due webhook deliveries; row locks keep them from sending one twice at once.
  const deliverer = new WebhookDeliverer(db, config, log);
  deliverer.start();
  const app = createApp({ config, log, services });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  if (db.kind === 'pglite') writeServeAddress(config.dataDir, config.host, port);
  services.lifecycle.ready();
  log.info('listening', { port, database: db.kind });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    for (const t of timers) if (t) clearInterval(t);
    if (db.kind === 'pglite') removeServeAddress(config.dataDir);
    log.info('shutting down', { signal, requests_in_flight: services.lifecycle.requestsInFlight });
    const drained = await services.lifecycle.stop(config.shutdownTimeoutMs);
    if (!drained) log.warn('shutdown timeout: closing with requests still in flight', { requests_in_flight: services.lifecycle.requestsInFlight });
    server.close();
    server.closeAllConnections();
    setTimeout(() => process.exit(1), CLOSE_GRACE_MS).unref();
    // Webhook sends in flight finish and are recorded (each is bounded by WEBHOOK_TIMEOUT_MS).
    await deliverer.stop();
    const errors: string[] = [];
    for (const close of [() => pipeline.close(), () => db.close()]) await close().catch((e) => errors.push(String(e)));
    if (errors.length > 0) log.error('shutdown: closing failed', { errors });
    log.info('stopped', { signal });
    process.exit(errors.length > 0 ? 1 : 0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return server;
}

export const serveCommand: Command['run'] = async (_args, { config, log }) => {
  await serve(config, log);
  return 0;
};
