import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db';
import { apiKeysRepo, type ApiKeyRow } from '../store/repos/api-keys';
import { AppError, conflict } from '../errors';

const hash = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

/** Equal-length digests compared in constant time, so timing says nothing about a key. */
function sameHash(a: string, b: string): boolean {
  return crypto.timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export class ApiKeys {
  private readonly envHashes: { name: string; hash: string }[];

  constructor(private readonly db: Db, envKeys: string[]) {
    this.envHashes = envKeys.map((k, i) => ({ name: `env-${i + 1}`, hash: hash(k) }));
  }

  /** The key's name when it is valid (API_KEYS or an unrevoked stored key), else null. */
  async authenticate(key: string): Promise<string | null> {
    const h = hash(key);
    let found: string | null = null;
    // Check every env key, not stopping at the first match, to keep the timing flat.
    for (const e of this.envHashes) if (sameHash(e.hash, h)) found = e.name;
    if (found) return found;
    const row = await apiKeysRepo.findActiveByHash(this.db, h);
    return row?.name ?? null;
  }

  async create(name: string): Promise<{ name: string; key: string }> {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new AppError(400, 'validation_error', 'a key name is 1-64 letters, digits, dot, dash or underscore');
    }
    const key = `rc_${crypto.randomBytes(24).toString('base64url')}`;
    const row = await apiKeysRepo.insert(this.db, name, hash(key));
    if (!row) throw conflict('key_exists', `a key named "${name}" already exists`);
    return { name, key };
  }

  list(): Promise<ApiKeyRow[]> {
    return apiKeysRepo.list(this.db);
  }

  revoke(name: string): Promise<boolean> {
    return apiKeysRepo.revoke(this.db, name);
  }

  /**
   * First start without API_KEYS and without stored keys: make one, keep it (0600) in DATA_DIR
   * and return it so it can be printed once. Later starts return null.
   */
  async ensureFirstKey(dataDir: string): Promise<{ key: string; file: string } | null> {
    if (this.envHashes.length > 0 || (await apiKeysRepo.count(this.db)) > 0) return null;
    const { key } = await this.create('default');
    const file = path.join(dataDir, 'api-key.txt');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return { key, file };
  }
}
