import type { Queryable } from '../db';

/** What the callback needs to check the provider's answer (migration 010). */
export interface OidcLogin {
  state: string;
  nonce: string;
  code_verifier: string;
}

/** Single sign-on attempts in flight. Database time is the only clock, as for sign-in sessions. */
export const oidcLoginsRepo = {
  /** Saves an attempt and drops those that have run out (nobody finishes them any more). */
  async insert(q: Queryable, idHash: string, login: OidcLogin, ttlSeconds: number): Promise<void> {
    await q.query('DELETE FROM oidc_logins WHERE expires_at <= now()');
    await q.query(
      `INSERT INTO oidc_logins (id_hash, state, nonce, code_verifier, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [idHash, login.state, login.nonce, login.code_verifier, ttlSeconds],
    );
  },

  /** Removes and returns an attempt that has not run out: each can be finished once. */
  async take(q: Queryable, idHash: string): Promise<OidcLogin | null> {
    const rows = await q.query<OidcLogin & { fresh: boolean }>(
      'DELETE FROM oidc_logins WHERE id_hash = $1 RETURNING state, nonce, code_verifier, expires_at > now() AS fresh',
      [idHash],
    );
    const r = rows[0];
    return r?.fresh ? { state: r.state, nonce: r.nonce, code_verifier: r.code_verifier } : null;
  },
};
