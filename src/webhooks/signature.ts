import crypto from 'node:crypto';

/** The header a delivery is signed in: `t=<unix seconds>,v1=<hex>` (the scheme Stripe uses). */
export const SIGNATURE_HEADER = 'X-Rollcall-Signature';

/** HMAC-SHA256 with the endpoint's secret over `<t>.<raw body>`, as the header's value. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
