import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { AppError } from '../errors';
import { BackupService, restoreBackupFile, verifyBackupFile, writeBackupFile } from '../services/backups';
import type { BackupContents } from '../store/pglite-backup';
import { openDatabase } from '../store/open';
import type { Command } from './commands';
import { UsageError } from './open-services';
import { readServeAddress } from './serve-address';

const PG_DUMP = 'with DATABASE_URL, back up and restore PostgreSQL with pg_dump -Fc / pg_restore (see docs/operations.md)';

function fileArg(args: string[], usage: string): string {
  if (args.length !== 1) throw new UsageError(`use: ${usage}`);
  return path.resolve(args[0]);
}

function embeddedOnly(config: Config): void {
  if (config.databaseUrl) throw new AppError(409, 'backup_unsupported', PG_DUMP);
}

/** The key the CLI shows the running service: the first of API_KEYS, else the one generated at first start. */
function adminKey(config: Config): string {
  const generated = path.join(config.dataDir, 'api-key.txt');
  const key = config.apiKeys[0] ?? (fs.existsSync(generated) ? fs.readFileSync(generated, 'utf8').trim() : '');
  if (!key) throw new AppError(401, 'unauthorized', `the service is running; set API_KEYS to an admin key so the backup can be asked of it`);
  return key;
}

/** PGlite admits one process per DATA_DIR: while `serve` holds it, the service takes the backup. */
async function fromService(url: string, config: Config): Promise<Buffer> {
  const res = await fetch(`${url}/api/v1/backups`, { method: 'POST', headers: { 'X-API-Key': adminKey(config) } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new AppError(res.status, body?.error?.code ?? 'backup_failed', body?.error?.message ?? `the service answered ${res.status}`);
  }
  return Buffer.from(await res.arrayBuffer());
}

const describe = (c: BackupContents) =>
  `taken ${c.created_at} (${c.engine}), ${c.bytes} bytes: ` +
  `${c.counts.classes} classes, ${c.counts.students} students, ${c.counts.face_embeddings} face embeddings, ${c.counts.attendance_sessions} sessions`;

export const backup: Command['run'] = async (args, { config }) => {
  const file = fileArg(args, 'backup <file>');
  embeddedOnly(config);
  const url = readServeAddress(config.dataDir);
  let bytes: number;
  if (url) {
    const data = await fromService(url, config);
    writeBackupFile(file, data);
    bytes = data.length;
  } else {
    const db = await openDatabase(config);
    try {
      bytes = await new BackupService(db).writeTo(file);
    } finally {
      await db.close();
    }
  }
  process.stdout.write(`backup written to ${file} (${bytes} bytes, ${url ? `from the service at ${url}` : `from ${config.dataDir}`})\n`);
  return 0;
};

export const restore: Command['run'] = async (args, { config }) => {
  const file = fileArg(args, 'restore <file>');
  embeddedOnly(config);
  const contents = await restoreBackupFile(file, config.dataDir);
  process.stdout.write(`restored into ${config.dataDir}: backup ${describe(contents)}\n`);
  return 0;
};

export const verifyBackup: Command['run'] = async (args) => {
  const file = fileArg(args, 'verify-backup <file>');
  process.stdout.write(`ok: ${file} is a usable backup, ${describe(await verifyBackupFile(file))}\n`);
  return 0;
};
