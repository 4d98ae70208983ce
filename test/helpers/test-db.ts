import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Db } from '../../src/store/db';
import { MIGRATIONS_DIR, openDatabase } from '../../src/store/open';
import { migrate, readMigrations } from '../../src/store/migrate';
import { openPglite } from '../../src/store/pglite-db';
import { openPostgres } from '../../src/store/postgres-db';

/**
 * A fresh, migrated database for one test file, on the backend CI selected: a new database on
 * the server named by DATABASE_URL, or a new PGlite data directory. Both are removed by cleanup.
 */
export interface TestDb {
  db: Db;
  /** Options that reopen the same database (for restart tests). */
  options: { databaseUrl: string | null; dataDir: string };
  cleanup(): Promise<void>;
}

export const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `upTo`: migrate only to this version (e.g. '003'), to test an upgrade in place; the rest is left pending. */
export async function createTestDb(upTo?: string): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-test-'));
  let databaseUrl: string | null = null;
  let dbName: string | null = null;
  if (process.env.DATABASE_URL) {
    dbName = `rollcall_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const options = { databaseUrl, dataDir };
  const db = upTo === undefined ? await openDatabase(options) : await openUpTo(options, upTo);
  return {
    db,
    options,
    async cleanup() {
      await db.close().catch(() => undefined);
      if (dbName) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openUpTo(options: { databaseUrl: string | null; dataDir: string }, upTo: string): Promise<Db> {
  const db = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openPglite(options.dataDir);
  await migrate(db, readMigrations(MIGRATIONS_DIR).filter((m) => m.version <= upTo));
  return db;
}
