import type { Queryable } from '../db';
import type { UserRow } from './users';

export interface SessionCheck {
  user: UserRow;
  expired: boolean;
  /** last_seen_at is old enough to be worth refreshing (saves a write on every request). */
  stale: boolean;
}

/** Sign-in sessions (migration 004). Database time is the only clock, so processes never disagree. */
export const signInSessionsRepo = {
  async insert(q: Queryable, idHash: string, userId: string, absoluteSeconds: number): Promise<Date> {
    const [r] = await q.query<{ expires_at: Date }>(
      `INSERT INTO sign_in_sessions (id_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
       RETURNING expires_at`,
      [idHash, userId, absoluteSeconds],
    );
    return r.expires_at;
  },

  /** The session's user and whether it has expired (absolute or idle), or null for an unknown id. */
  async check(q: Queryable, idHash: string, idleSeconds: number, refreshSeconds: number): Promise<SessionCheck | null> {
    const rows = await q.query<UserRow & { expired: boolean; stale: boolean }>(
      `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.must_change_password, u.disabled, u.last_sign_in_at, u.created_at,
              (s.expires_at <= now() OR s.last_seen_at <= now() - make_interval(secs => $2)) AS expired,
              s.last_seen_at <= now() - make_interval(secs => $3) AS stale
       FROM sign_in_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
      [idHash, idleSeconds, refreshSeconds],
    );
    if (rows.length === 0) return null;
    const { expired, stale, ...user } = rows[0];
    return { user, expired, stale };
  },

  async touch(q: Queryable, idHash: string): Promise<void> {
    await q.query('UPDATE sign_in_sessions SET last_seen_at = now() WHERE id_hash = $1', [idHash]);
  },

  async delete(q: Queryable, idHash: string): Promise<void> {
    await q.query('DELETE FROM sign_in_sessions WHERE id_hash = $1', [idHash]);
  },

  /** Signs a user out everywhere (disabled, password changed or reset), optionally keeping one session. */
  async deleteForUser(q: Queryable, userId: string, keepHash: string | null = null): Promise<void> {
    await q.query('DELETE FROM sign_in_sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2', [userId, keepHash]);
  },

  async purgeExpired(q: Queryable, idleSeconds: number): Promise<number> {
    const rows = await q.query(
      'DELETE FROM sign_in_sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1) RETURNING 1',
      [idleSeconds],
    );
    return rows.length;
  },
};
