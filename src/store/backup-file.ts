import crypto from 'node:crypto';
import { AppError } from '../errors';

/**
 * A Rollcall backup file: one magic line, one JSON manifest line, then the payload (the embedded
 * database's data directory as a gzipped tar). The manifest's size and sha256 let `verify-backup`
 * tell a truncated or damaged file from a good one before anything is restored.
 */
const MAGIC = 'ROLLCALL-BACKUP';
const VERSION = 1;
/** The manifest is a few hundred bytes; a header longer than this is not ours. */
const MAX_HEADER = 64 * 1024;

export interface BackupManifest {
  version: number;
  kind: 'pglite-datadir';
  created_at: string;
  /** The database engine that wrote the payload: a restore needs the same major version. */
  engine: string;
  payload_bytes: number;
  payload_sha256: string;
}

const invalid = (problem: string) => new AppError(422, 'invalid_backup', `not a usable backup: ${problem}`);

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

export function encodeBackup(payload: Buffer, engine: string, now = new Date()): Buffer {
  const manifest: BackupManifest = {
    version: VERSION,
    kind: 'pglite-datadir',
    created_at: now.toISOString(),
    engine,
    payload_bytes: payload.length,
    payload_sha256: sha256(payload),
  };
  return Buffer.concat([Buffer.from(`${MAGIC} ${VERSION}\n${JSON.stringify(manifest)}\n`), payload]);
}

/** Splits a backup file into manifest and payload, or says exactly what is wrong with it. */
export function decodeBackup(file: Buffer): { manifest: BackupManifest; payload: Buffer } {
  if (!file.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) {
    throw invalid(`the file does not start with "${MAGIC}": it is not a Rollcall backup`);
  }
  const first = file.indexOf(0x0a);
  const second = first < 0 ? -1 : file.indexOf(0x0a, first + 1);
  if (first < 0 || second < 0 || second > MAX_HEADER) throw invalid('the header is incomplete (the file is truncated or damaged)');
  const version = Number(file.subarray(MAGIC.length + 1, first).toString());
  if (version !== VERSION) throw invalid(`format version "${file.subarray(MAGIC.length + 1, first)}" is not supported (this Rollcall reads ${VERSION})`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(file.subarray(first + 1, second).toString('utf8')) as BackupManifest;
  } catch {
    throw invalid('the manifest is not valid JSON (the file is damaged)');
  }
  if (manifest?.kind !== 'pglite-datadir' || !Number.isInteger(manifest.payload_bytes) || typeof manifest.payload_sha256 !== 'string') {
    throw invalid('the manifest lacks kind, payload_bytes or payload_sha256');
  }
  const payload = file.subarray(second + 1);
  if (payload.length < manifest.payload_bytes) {
    throw invalid(`the file is truncated: ${payload.length} of ${manifest.payload_bytes} payload bytes`);
  }
  if (payload.length > manifest.payload_bytes) {
    throw invalid(`${payload.length - manifest.payload_bytes} unexpected bytes after the payload`);
  }
  if (sha256(payload) !== manifest.payload_sha256) throw invalid('the payload checksum does not match (the file is damaged)');
  return { manifest, payload };
}
