import type { Queryable } from '../db';
import type { UserRow } from './users';

export interface ApiKeyRow {
  id: string;
  name: string;
  /** The owner; null for a service key (stored before users existed, or made by `rollcall keys`). */
  user_id: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, user_id, created_at, revoked_at';

export const apiKeysRepo = {
  /** null when the owner (or the service keys) already has a key of that name. */
  async insert(q: Queryable, name: string, keyHash: string, userId: string | null = null): Promise<ApiKeyRow | null> {
    const rows = await q.query<ApiKeyRow>(
      `INSERT INTO api_keys (name, key_hash, user_id) VALUES ($1, $2, $3) ON CONFLICT (user_id, name) DO NOTHING RETURNING ${COLUMNS}`,
      [name, keyHash, userId],
    );
    return rows[0] ?? null;
  },
  /** An unrevoked key with its owner (null for a service key). */
  async findActiveByHash(q: Queryable, keyHash: string): Promise<(ApiKeyRow & { owner: UserRow | null }) | null> {
    const rows = await q.query<ApiKeyRow & { owner: UserRow | null }>(
      `SELECT k.id, k.name, k.user_id, k.created_at, k.revoked_at,
              CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
                'must_change_password', u.must_change_password, 'disabled', u.disabled) END AS owner
       FROM api_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] ?? null;
  },
  /** Service keys (userId null) or one user's keys. */
  async list(q: Queryable, userId: string | null = null): Promise<ApiKeyRow[]> {
    return q.query(`SELECT ${COLUMNS} FROM api_keys WHERE user_id IS NOT DISTINCT FROM $1 ORDER BY created_at`, [userId]);
  },
  async revoke(q: Queryable, name: string): Promise<boolean> {
    const rows = await q.query('UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND user_id IS NULL AND revoked_at IS NULL RETURNING id', [name]);
    return rows.length > 0;
  },
  async revokeOwned(q: Queryable, userId: string, id: string): Promise<ApiKeyRow | null> {
    const rows = await q.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = now() WHERE id::text = $2 AND user_id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [userId, id],
    );
    return rows[0] ?? null;
  },
  async count(q: Queryable): Promise<number> {
    const [r] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
    return r.n;
  },
};
