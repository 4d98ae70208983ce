import type { Queryable } from '../db';

/** Failed sign-ins counted in fixed windows per bucket (migration 004), on the database's clock. */
export const signInFailuresRepo = {
  /** Seconds until the bucket's window closes when it holds `limit` or more failures, else 0. */
  async blockedFor(q: Queryable, buckets: string[], limit: number, windowSeconds: number): Promise<number> {
    const [r] = await q.query<{ wait: number | null }>(
      `SELECT max(ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now())))::int AS wait
       FROM sign_in_failures WHERE bucket = ANY($1::text[]) AND failures >= $2 AND window_start > now() - make_interval(secs => $3)`,
      [buckets, limit, windowSeconds],
    );
    return Math.max(0, r.wait ?? 0);
  },

  /** Counts one failure in each bucket, opening a new window where the last one has closed. */
  async record(q: Queryable, buckets: string[], windowSeconds: number): Promise<void> {
    await q.query(
      `INSERT INTO sign_in_failures AS f (bucket, failures, window_start) SELECT unnest($1::text[]), 1, now()
       ON CONFLICT (bucket) DO UPDATE SET
         failures = CASE WHEN f.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END,
         window_start = CASE WHEN f.window_start <= now() - make_interval(secs => $2) THEN now() ELSE f.window_start END`,
      [buckets, windowSeconds],
    );
  },

  async clear(q: Queryable, bucket: string): Promise<void> {
    await q.query('DELETE FROM sign_in_failures WHERE bucket = $1', [bucket]);
  },
};
