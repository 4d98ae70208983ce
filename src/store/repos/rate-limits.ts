import type { Queryable } from '../db';

/** Tokens in the bucket after refilling at `$3` per second since the last take, capped at `$2`. */
const LEVEL = 'LEAST($2::float8, r.tokens + extract(epoch FROM now() - r.updated_at) * $3::float8)';

/** Token buckets (migration 002). Database time is the only clock, so processes' clocks never disagree. */
export const rateLimitsRepo = {
  /**
   * Takes a token from `bucket` (created full with `capacity` tokens): null when taken, else the
   * bucket's level. Refill and take are one statement holding the row lock, so concurrent requests
   * cannot spend a token twice.
   */
  async take(q: Queryable, bucket: string, capacity: number, perSecond: number): Promise<number | null> {
    const params = [bucket, capacity, perSecond];
    const taken = await q.query(
      `INSERT INTO rate_limits AS r (bucket, tokens, updated_at) VALUES ($1, $2::float8 - 1, now())
       ON CONFLICT (bucket) DO UPDATE SET tokens = ${LEVEL} - 1, updated_at = now() WHERE ${LEVEL} >= 1
       RETURNING tokens`,
      params,
    );
    if (taken.length > 0) return null;
    const [row] = await q.query<{ level: number }>(`SELECT ${LEVEL} AS level FROM rate_limits r WHERE bucket = $1`, params);
    return row.level;
  },
};
