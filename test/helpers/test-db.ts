import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Db } from '../../src/store/db';
import { openDatabase } from '../../src/store/open';

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

export async function createTestDb(): Promise<TestDb> {
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
  const db = await openDatabase(options);
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
