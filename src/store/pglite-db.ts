import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, Queryable } from './db';
import { StoreError } from './store-error';
import { acquireDirLock } from './dir-lock';

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await q.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  };
}

/** Embedded Postgres persisted under dataDir/pglite; one process at a time (a lock file guards it). */
export async function openPglite(dataDir: string): Promise<Db> {
  const dir = path.join(dataDir, 'pglite');
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new StoreError(`DATA_DIR ${dataDir} is not writable: ${(e as Error).message}`);
  }
  const release = acquireDirLock(dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir, { extensions: { vector } });
    await pg.query('SELECT 1');
  } catch (e) {
    release();
    throw new StoreError(
      `the embedded database in ${dir} could not be opened (${(e as Error).message || e}); ` +
        'it may be corrupted: move it aside to start empty, or restore a backup',
    );
  }
  const root = wrap(pg);
  return {
    kind: 'pglite',
    query: root.query,
    exec: root.exec,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async close() {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}
