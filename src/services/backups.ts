import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import type { Db } from '../store/db';
import { inspectBackup, restorePglite, type BackupContents } from '../store/pglite-backup';

const SCHEDULED = /^rollcall-\d{8}T\d{6}Z\.rcbackup$/;
const scheduledName = (now: Date) => `rollcall-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.rcbackup`;

function readBackup(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new AppError(400, 'backup_unreadable', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Writes beside the target and renames, so a crash never leaves a half-written file under the final name. */
export function writeBackupFile(file: string, data: Buffer): void {
  const partial = `${file}.partial-${process.pid}`;
  try {
    fs.writeFileSync(partial, data, { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw new AppError(400, 'backup_unwritable', `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Backups of the embedded database: taken from the open database, so the service keeps running. */
export class BackupService {
  constructor(private readonly db: Db) {}

  /** The whole database as one backup file (409 backup_unsupported on PostgreSQL: use pg_dump). */
  create(): Promise<Buffer> {
    return this.db.backup();
  }

  async writeTo(file: string): Promise<number> {
    const data = await this.create();
    writeBackupFile(file, data);
    return data.length;
  }

  /**
   * The scheduled backup: a new file in `dir` unless the newest there is younger than `everyMs`,
   * then only the `keep` newest kept. Returns the new file, or null when none was due.
   */
  async runScheduled(dir: string, everyMs: number, keep: number, now = new Date()): Promise<string | null> {
    fs.mkdirSync(dir, { recursive: true });
    const existing = () => fs.readdirSync(dir).filter((f) => SCHEDULED.test(f)).sort();
    const newest = existing().at(-1);
    if (newest && now.getTime() - fs.statSync(path.join(dir, newest)).mtimeMs < everyMs) return null;
    const file = path.join(dir, scheduledName(now));
    await this.writeTo(file);
    for (const old of existing().slice(0, -keep)) fs.rmSync(path.join(dir, old), { force: true });
    return file;
  }
}

/** Checks a backup file without restoring it; a bad one → 422 invalid_backup naming the problem. */
export const verifyBackupFile = (file: string): Promise<BackupContents> => inspectBackup(readBackup(file));

/** Restores a backup file into an empty DATA_DIR (409 data_dir_not_empty otherwise). */
export const restoreBackupFile = (file: string, dataDir: string): Promise<BackupContents> => restorePglite(readBackup(file), dataDir);
