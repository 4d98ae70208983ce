import dns from 'node:dns';
import net from 'node:net';
import { isPrivateAddress } from './address';

/** Why a webhook URL cannot be used, or null when it can. */
export type TargetProblem = { problem: 'format' | 'scheme' | 'credentials' | 'unresolvable' | 'private_address'; message: string };

/** Parses a webhook URL: absolute http(s), without user:password (the signature authenticates). */
export function parseTarget(raw: string): URL | TargetProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'format', message: '"url" is not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'scheme', message: '"url" must be http or https' };
  if (url.username || url.password) return { problem: 'credentials', message: '"url" may not contain a user name or password' };
  return url;
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/**
 * Every address the host resolves to (the host itself when it is an IP literal), refused when one
 * of them is private and `allowPrivate` is off: a name with one public and one private address
 * could otherwise be sent to the private one.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<{ address: string; family: number }[] | TargetProblem> {
  const host = bare(url.hostname);
  let addresses: { address: string; family: number }[];
  if (net.isIP(host)) {
    addresses = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
    } catch (e) {
      return { problem: 'unresolvable', message: `the host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  if (!allowPrivate) {
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused) {
      return { problem: 'private_address', message: `${host} is ${refused.address}, a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE=true allows it)` };
    }
  }
  return addresses;
}

export const isProblem = (x: unknown): x is TargetProblem => typeof x === 'object' && x !== null && 'problem' in x;
