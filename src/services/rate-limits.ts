import type { Db } from '../store/db';
import { rateLimitsRepo } from '../store/repos/rate-limits';

/**
 * Per-API-key token buckets in the database: RATE_LIMIT_PER_MIN is a limit per key across every
 * app process, not per process. A bucket holds one minute's worth and refills continuously.
 */
export class RateLimits {
  constructor(private readonly db: Db, readonly perMinute: number) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Takes a token: 0 when taken, else the whole seconds until one is back. */
  async take(bucket: string): Promise<number> {
    const perSecond = this.perMinute / 60;
    const level = await rateLimitsRepo.take(this.db, bucket, this.perMinute, perSecond);
    return level === null ? 0 : Math.max(1, Math.ceil((1 - level) / perSecond));
  }
}
