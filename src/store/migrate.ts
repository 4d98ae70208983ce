import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db';
import { StoreError } from './store-error';

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

const FILE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir: string): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((f) => {
      const [, version, name] = FILE.exec(f)!;
      return { version, name, sql: fs.readFileSync(path.join(dir, f), 'utf8') };
    });
}

/** Explains the common reason a migration fails on a real server. */
export function explain(e: Error): string {
  const m = e.message;
  if (/extension "vector"/.test(m) && /not available|could not open extension control file/.test(m)) {
    return 'the pgvector extension is not installed on this Postgres server: install it (e.g. apt install postgresql-15-pgvector, or bash scripts/install-pgvector.sh, or use the pgvector/pgvector Docker image), then run `CREATE EXTENSION vector;` as a superuser';
  }
  if (/permission denied to create extension/.test(m)) {
    return 'the database user may not create the pgvector extension: run `CREATE EXTENSION vector;` once as a superuser';
  }
  return m;
}

/**
 * Applies pending migrations in order, each in its own transaction together with its
 * schema_migrations row, so a failing one leaves no trace. An advisory lock serialises
 * several app processes starting at once against one Postgres.
 */
export async function migrate(db: Db, migrations: Migration[]): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7226615)');
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rows.length > 0) return false;
      try {
        await tx.exec(m.sql);
      } catch (e) {
        throw new StoreError(`migration ${m.version}_${m.name} failed and was rolled back: ${explain(e as Error)}`);
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(`${m.version}_${m.name}`);
  }
  return applied;
}
