import type { Queryable } from '../db';

/** The first-admin setup token (migration 004), stored as its sha256. */
export const setupTokensRepo = {
  async replace(q: Queryable, tokenHash: string): Promise<void> {
    await q.query('DELETE FROM setup_tokens');
    await q.query('INSERT INTO setup_tokens (token_hash) VALUES ($1)', [tokenHash]);
  },
  /** Removes the token and says whether it was the stored one (used once, even by racing requests). */
  async consume(q: Queryable, tokenHash: string): Promise<boolean> {
    const rows = await q.query('DELETE FROM setup_tokens WHERE token_hash = $1 RETURNING 1', [tokenHash]);
    return rows.length > 0;
  },
  async exists(q: Queryable, tokenHash: string): Promise<boolean> {
    return (await q.query('SELECT 1 FROM setup_tokens WHERE token_hash = $1', [tokenHash])).length > 0;
  },
  async clear(q: Queryable): Promise<void> {
    await q.query('DELETE FROM setup_tokens');
  },
};
