import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db';
import { apiKeysRepo, type ApiKeyRow } from '../store/repos/api-keys';
import { auditRepo } from '../store/repos/audit';
import { AppError, conflict, notFound } from '../errors';
import { auditActor, servicePrincipal, userPrincipal, type Principal } from './principal';

const hash = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

/** Equal-length digests compared in constant time, so timing says nothing about a key. */
function sameHash(a: string, b: string): boolean {
  return crypto.timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

const keyView = (k: ApiKeyRow) => ({ id: k.id, name: k.name, created_at: k.created_at, revoked_at: k.revoked_at });

export class ApiKeys {
  private readonly envHashes: { name: string; hash: string }[];

  constructor(private readonly db: Db, envKeys: string[]) {
    this.envHashes = envKeys.map((k, i) => ({ name: `env-${i + 1}`, hash: hash(k) }));
  }

  /**
   * Who a key acts for: API_KEYS and ownerless stored keys are admin service keys, a user's key
   * carries that user's role (and, through the policy, classes). null for an unknown or revoked
   * key, or one whose owner is disabled.
   */
  async authenticate(key: string): Promise<Principal | null> {
    const h = hash(key);
    let found: string | null = null;
    // Check every env key, not stopping at the first match, to keep the timing flat.
    for (const e of this.envHashes) if (sameHash(e.hash, h)) found = e.name;
    if (found) return servicePrincipal(found, found);
    const row = await apiKeysRepo.findActiveByHash(this.db, h);
    if (!row) return null;
    if (!row.owner) return servicePrincipal(row.id, row.name);
    if (row.owner.disabled) return null;
    return userPrincipal('key', row.owner, `key:${row.id}`);
  }

  /** A service key (the CLI's `keys create`): admin rights, no owner. */
  async create(name: string): Promise<{ name: string; key: string }> {
    const { key } = await this.insert(name, null);
    return { name, key };
  }

  private async insert(name: unknown, userId: string | null) {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new AppError(400, 'validation_error', 'a key name is 1-64 letters, digits, dot, dash or underscore', [{ field: 'name', problem: 'format' }]);
    }
    const key = `rc_${crypto.randomBytes(24).toString('base64url')}`;
    const row = await apiKeysRepo.insert(this.db, name, hash(key), userId);
    if (!row) throw conflict('key_exists', `a key named "${name}" already exists`);
    return { row, key };
  }

  /** A key of the signed-in user's own, shown once. */
  async createOwn(p: Principal, body: unknown) {
    const userId = ownerOf(p);
    const { row, key } = await this.insert((body as Record<string, unknown> | null)?.name, userId);
    await auditRepo.add(this.db, { ...auditActor(p), action: 'create_key', entity: 'api_key', entityId: row.id, after: { name: row.name, user_id: userId } });
    return { ...keyView(row), key };
  }

  async listOwn(p: Principal) {
    return (await apiKeysRepo.list(this.db, ownerOf(p))).map(keyView);
  }

  async revokeOwn(p: Principal, id: string): Promise<void> {
    const row = await apiKeysRepo.revokeOwned(this.db, ownerOf(p), id);
    if (!row) throw notFound(`key ${id}`);
    await auditRepo.add(this.db, { ...auditActor(p), action: 'revoke_key', entity: 'api_key', entityId: row.id, before: { name: row.name } });
  }

  /** Service keys, for the CLI. */
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

/** Personal routes (/me/...) need a person: a service key has none. */
export function ownerOf(p: Principal): string {
  if (!p.userId) throw new AppError(404, 'not_found', 'a service key belongs to no user: sign in, or use a key of your own');
  return p.userId;
}
