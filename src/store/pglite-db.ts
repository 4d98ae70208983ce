import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, Queryable } from './db';
import { StoreError } from './store-error';
import { acquireDirLock } from './dir-lock';
import { dumpPglite } from './pglite-backup';

type Serializers = NonNullable<QueryOptions['serializers']>;

/**
 * PGlite serialises every parameter as text by its type, a Buffer included. node-postgres sends a
 * Buffer in binary format instead (bytea as raw bytes, a vector as vector_recv reads it); these
 * serializers do the same here, so both backends take the same parameters in the same format.
 * PGlite's types say a serializer returns a string, but its Bind sends a returned Uint8Array as a
 * binary value (test/store/db.test.ts holds it to that).
 */
function binaryAware(pg: PGlite): Serializers {
  return new Proxy({} as Serializers, {
    get: (_, oid) => (v: unknown) => (v instanceof Uint8Array ? v : (pg.serializers[Number(oid)] ?? String)(v)),
  });
}

function wrap(q: PGlite | Transaction, serializers: Serializers): Queryable {
  return {
    parallelQueries: 1,
    async query<T>(sql: string, params?: unknown[]) {
      return (await q.query<T>(sql, params, { serializers })).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  };
}

/**
 * Creates a new embedded database in the empty directory `dir` from a short-lived child process.
 * PGlite's first start runs initdb in WebAssembly, which peaks near 800 MB and keeps that memory
 * for the life of the process; done in a child, the service opens a ready database at about
 * 300 MB. The child builds it beside `dir`, and it is renamed into place only once complete.
 */
async function createInChild(dir: string): Promise<void> {
  const building = `${dir}.new-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  const module = (name: string) => JSON.stringify(pathToFileURL(require.resolve(name)).href);
  const script =
    `const { PGlite } = await import(${module('@electric-sql/pglite')});` +
    'const pg = await PGlite.create(process.argv[1]);' +
    'await pg.close();';
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, building], { timeout: 300_000 });
  } catch (e) {
    fs.rmSync(building, { recursive: true, force: true });
    const { stderr, message } = e as { stderr?: string; message: string };
    throw new StoreError(`the embedded database could not be created in ${dir}: ${stderr?.trim().split('\n').pop() || message}`);
  }
  fs.rmdirSync(dir);
  fs.renameSync(building, dir);
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
  try {
    if (fs.readdirSync(dir).length === 0) await createInChild(dir);
  } catch (e) {
    release();
    throw e;
  }
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
  const serializers = binaryAware(pg);
  const root = wrap(pg, serializers);
  return {
    kind: 'pglite',
    ...root,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx, serializers))),
    backup: () => dumpPglite(pg),
    async close() {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}
