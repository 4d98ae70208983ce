import net from 'node:net';

/** IPv4 ranges a webhook may not reach: this host, private networks, link-local, CGNAT, multicast, reserved. */
const V4_REFUSED: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const v4ToInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

function refusedV4(ip: string): boolean {
  const n = v4ToInt(ip);
  return V4_REFUSED.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4ToInt(base) / 2 ** (32 - bits)));
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail is converted). */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = v4ToInt(dotted[1]);
    s = s.slice(0, dotted.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const parse = (p: string | undefined) => (p ? p.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  return tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
}

const groupsToV4 = (a: number, b: number) => `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;

function refusedV6(ip: string): boolean {
  const g = v6Groups(ip);
  if (g.slice(0, 7).every((x) => x === 0)) return true; // :: and ::1
  // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as that IPv4.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return refusedV4(groupsToV4(g[6], g[7]));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return refusedV4(groupsToV4(g[6], g[7]));
  if (g[0] === 0x2002) return refusedV4(groupsToV4(g[1], g[2]));
  return (g[0] & 0xfe00) === 0xfc00 /* unique local */ || (g[0] & 0xffc0) === 0xfe80 /* link-local */ || (g[0] & 0xff00) === 0xff00 /* multicast */;
}

/** True for loopback, private, link-local and other non-public addresses, IPv4 or IPv6. */
export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return refusedV4(ip);
  if (family === 6) return refusedV6(ip);
  return true;
}
