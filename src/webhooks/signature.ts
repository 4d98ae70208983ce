import crypto from 'node:crypto';

/** The header a delivery is signed in: `t=<unix seconds>,v1=<hex>` (the scheme Stripe uses). */
export const SIGNATURE_HEADER = 'X-Rollcall-Signature';

/** HMAC-SHA256 with the endpoint's secret over `<t>.<raw body>`, as the header's value. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * What a receiver does: true when the header's v1 is the HMAC of this body at its t, and t is
 * within `toleranceS` of `nowS` (an old request replayed is refused). docs/webhooks.md shows it.
 */
export function verifySignature(secret: string, body: string, header: string, nowS: number, toleranceS = 300): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS) return false;
  const expected = signatureHeader(secret, body, t).split('v1=')[1];
  return v1.length === expected.length && crypto.timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
}
