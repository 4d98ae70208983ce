import path from 'node:path';
import type { Db } from './db';
import { openPglite } from './pglite-db';
import { openPostgres } from './postgres-db';
import { migrate, readMigrations } from './migrate';
import { guardOutages } from './outage';
import { PROJECT_ROOT } from '../config';
import { createLogger, type Logger } from '../logger';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

/**
 * Opens the configured backend (DATABASE_URL → Postgres, else PGlite under dataDir) and migrates
 * it; an outage later is a 503 database_unavailable, reported on `log` (see outage.ts).
 */
export async function openDatabase(opts: { databaseUrl: string | null; dataDir: string }, log: Logger = createLogger('silent')): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir);
  try {
    await migrate(db, readMigrations(MIGRATIONS_DIR));
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return guardOutages(db, log);
}
