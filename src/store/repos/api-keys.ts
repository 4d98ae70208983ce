import type { Queryable } from '../db';

export interface ApiKeyRow {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

export const apiKeysRepo = {
  async insert(q: Queryable, name: string, keyHash: string): Promise<ApiKeyRow | null> {
    const rows = await q.query<ApiKeyRow>(
      'INSERT INTO api_keys (name, key_hash) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id, name, created_at, revoked_at',
      [name, keyHash],
    );
    return rows[0] ?? null;
  },
  async findActiveByHash(q: Queryable, keyHash: string): Promise<ApiKeyRow | null> {
    const rows = await q.query<ApiKeyRow>(
      'SELECT id, name, created_at, revoked_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [keyHash],
    );
    return rows[0] ?? null;
  },
  async list(q: Queryable): Promise<ApiKeyRow[]> {
    return q.query('SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY created_at');
  },
  async revoke(q: Queryable, name: string): Promise<boolean> {
    const rows = await q.query('UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id', [name]);
    return rows.length > 0;
  },
  async count(q: Queryable): Promise<number> {
    const [r] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
    return r.n;
  },
};
