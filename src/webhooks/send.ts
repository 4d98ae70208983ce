import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isProblem, parseTarget, resolveTarget } from './target';

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** A delivery's outcome: ok for a 2xx answer; otherwise what went wrong, for the delivery log. */
export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** The most of a failing answer's body kept as its error text. */
const ERROR_BODY_CHARS = 200;

/**
 * POSTs one signed body. The host is resolved and checked here, at delivery time, and the
 * connection goes to exactly the addresses checked (a DNS answer that changes after
 * registration cannot reach a private address). Redirects are not followed: a 3xx is a failure.
 * The whole exchange, connecting included, is bounded by timeoutMs.
 */
export async function sendWebhook(rawUrl: string, body: string, headers: Record<string, string>, opts: SendOptions): Promise<SendResult> {
  const url = parseTarget(rawUrl);
  if (isProblem(url)) return { ok: false, status: null, error: url.message };
  const addresses = await resolveTarget(url, opts.allowPrivate);
  if (isProblem(addresses)) return { ok: false, status: null, error: addresses.message };
  const lookup: LookupFunction = (_host, options, cb) => {
    const a = addresses[0];
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, all: typeof addresses) => void)(null, addresses);
    else cb(null, a.address, a.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    const req = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      lookup,
      agent: false,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const failed = (e: Error, status: number | null = null) => {
      const timedOut = e.name === 'AbortError' || (e as { cause?: Error }).cause?.name === 'TimeoutError';
      resolve({ ok: false, status, error: timedOut ? `no answer within ${opts.timeoutMs} ms` : e.message });
    };
    req.on('error', (e) => failed(e));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        res.resume();
        return resolve({ ok: true, status });
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < ERROR_BODY_CHARS) text += chunk;
      });
      res.on('error', (e) => failed(e, status));
      res.on('end', () => {
        const why =
          status >= 300 && status < 400
            ? `redirect to ${res.headers.location ?? '(no Location)'} not followed`
            : text.trim().slice(0, ERROR_BODY_CHARS) || (res.statusMessage ?? '');
        resolve({ ok: false, status, error: `HTTP ${status}${why ? `: ${why}` : ''}` });
      });
    });
    req.end(body);
  });
}
