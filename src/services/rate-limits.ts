import type { Db } from '../store/db';

/** Tokens in the bucket after refilling at `$3` per second since the last take, capped at `$2`. */
const LEVEL = 'LEAST($2::float8, r.tokens + extract(epoch FROM now() - r.updated_at) * $3::float8)';

/**
 * Per-API-key token buckets in the database (migration 002): RATE_LIMIT_PER_MIN is a limit per
 * key across every app process, not per process. A bucket holds one minute's worth and refills
 * continuously. Database time is the only clock, so processes' clocks never disagree.
 */
export class RateLimits {
  constructor(private readonly db: Db, readonly perMinute: number) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /**
   * Takes a token: 0 when taken, else the whole seconds until one is back. Refill and take are
   * one statement holding the row lock, so concurrent requests cannot spend a token twice.
   */
  async take(bucket: string): Promise<number> {
    const perSecond = this.perMinute / 60;
    const params = [bucket, this.perMinute, perSecond];
    const taken = await this.db.query(
      `INSERT INTO rate_limits AS r (bucket, tokens, updated_at) VALUES ($1, $2::float8 - 1, now())
       ON CONFLICT (bucket) DO UPDATE SET tokens = ${LEVEL} - 1, updated_at = now() WHERE ${LEVEL} >= 1
       RETURNING tokens`,
      params,
    );
    if (taken.length > 0) return 0;
    const [row] = await this.db.query<{ level: number }>(`SELECT ${LEVEL} AS level FROM rate_limits r WHERE bucket = $1`, params);
    return Math.max(1, Math.ceil((1 - row.level) / perSecond));
  }
}
