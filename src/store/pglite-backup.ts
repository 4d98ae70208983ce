import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { AppError } from '../errors';
import { decodeBackup, encodeBackup } from './backup-file';

/** PGlite's queries and transactions hold this lock; its dumpDataDir alone takes only the query lock. */
type Exclusive = { _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> };

/**
 * The data directory as a backup file, consistent while the service runs: a checkpoint first (so
 * a restore replays little WAL), then the dump under the lock every query and transaction takes,
 * so it falls between two transactions, never inside one.
 */
export async function dumpPglite(pg: PGlite): Promise<Buffer> {
  const [{ server_version: version }] = (await pg.query<{ server_version: string }>('SHOW server_version')).rows;
  await pg.query('CHECKPOINT');
  const tar = await (pg as unknown as Exclusive)._runExclusiveTransaction(() => pg.dumpDataDir('gzip'));
  return encodeBackup(Buffer.from(await tar.arrayBuffer()), `PostgreSQL ${version} (PGlite)`);
}

/** What a backup holds, counted by opening it (in memory, or in `dir`). */
export interface BackupContents {
  created_at: string;
  engine: string;
  bytes: number;
  counts: Record<'classes' | 'students' | 'face_embeddings' | 'attendance_sessions', number>;
}

const TABLES = ['classes', 'students', 'face_embeddings', 'attendance_sessions'] as const;

async function openPayload(file: Buffer, dir: string): Promise<BackupContents> {
  const { manifest, payload } = decodeBackup(file);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir, { loadDataDir: new Blob([new Uint8Array(payload)]), extensions: { vector } });
  } catch (e) {
    throw new AppError(422, 'invalid_backup', `not a usable backup: its database does not open (${(e as Error).message || e})`);
  }
  try {
    const counts = {} as BackupContents['counts'];
    for (const t of TABLES) counts[t] = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
    return { created_at: manifest.created_at, engine: manifest.engine, bytes: file.length, counts };
  } catch (e) {
    throw new AppError(422, 'invalid_backup', `not a usable backup: its database is not a Rollcall database (${(e as Error).message})`);
  } finally {
    await pg.close();
  }
}

/** Checks a backup without restoring it: header, size, checksum, and that its database opens. */
export const inspectBackup = (file: Buffer) => openPayload(file, 'memory://');

/** DATA_DIR must be absent or empty: a restore never mixes with, or overwrites, existing data. */
function assertEmpty(dataDir: string): void {
  const entries = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  if (entries.length > 0) {
    throw new AppError(409, 'data_dir_not_empty', `DATA_DIR ${dataDir} is not empty (${entries.slice(0, 3).join(', ')}…): restore only into an empty directory`);
  }
}

/**
 * Restores a backup into an empty DATA_DIR. It is built and opened beside the target first and
 * moved into place only once it opens, so a bad file leaves the target as it was.
 */
export async function restorePglite(file: Buffer, dataDir: string): Promise<BackupContents> {
  assertEmpty(dataDir);
  const building = `${dataDir}.restoring-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(building, { recursive: true });
  try {
    const contents = await openPayload(file, path.join(building, 'pglite'));
    assertEmpty(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.renameSync(building, dataDir);
    return contents;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}
