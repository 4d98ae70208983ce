import crypto from 'node:crypto';

/**
 * A receiver's check of X-Rollcall-Signature, written as docs/webhooks.md shows it (keep the two
 * alike): the HMAC of "<t>.<raw body>" must match, and t must be recent, so a replay is refused.
 */
export function verifyRollcallSignature(secret: string, rawBody: string, header: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  const given = String(parts.v1 ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
