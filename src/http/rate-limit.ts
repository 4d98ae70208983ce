import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { RateLimits } from '../services/rate-limits';
import { operationMatcher, operations } from './openapi';
import { principalOf } from './authorize';

/**
 * 429 `rate_limited` with Retry-After once an API key has spent its RATE_LIMIT_PER_MIN on the
 * costly routes (photos through the models: the operations marked `limited`). Runs after the
 * policy: the bucket is the key's, or the signed-in user's.
 */
export function rateLimit(config: Config, limits: RateLimits): RequestHandler {
  const operationFor = operationMatcher(operations(config));
  return async (req, res, next) => {
    if (!limits.enabled || !operationFor(req.method, req.path)?.limited) return next();
    const wait = await limits.take(principalOf(res).bucket);
    if (wait === 0) return next();
    throw new AppError(429, 'rate_limited', `these credentials may send ${limits.perMinute} photo requests a minute; retry in ${wait} s`, undefined, {
      'Retry-After': String(wait),
    });
  };
}
