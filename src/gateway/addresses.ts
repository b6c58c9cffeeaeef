// Which IP addresses lie inside: loopback, private, shared (CGNAT), link-local (cloud metadata
// included), unspecified, multicast, broadcast and reserved ranges, and IPv6 addresses that carry
// such an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo). The web fetch connects only to
// addresses this module calls public, unless the policy names the exact host and port.
import { isIPv4, isIPv6 } from 'node:net';

/** [first address, prefix length, name] */
type Range4 = readonly [string, number, string];

const v4Ranges: readonly Range4[] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (broadcast)'],
];

function v4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const v4Table = v4Ranges.map(([first, bits, name]) => ({
  base: v4Number(first),
  size: 2 ** (32 - bits),
  name,
}));

function rangeOf4(n: number): string | undefined {
  return v4Table.find((r) => n >= r.base && n < r.base + r.size)?.name;
}

/** The eight 16-bit groups of a valid IPv6 literal (zone id removed; dotted tail allowed). */
function v6Groups(ip: string): number[] {
  let text = ip.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const n = v4Number(dotted);
    text = `${text.slice(0, -dotted.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IPv4 address in groups `hi`, `lo`, as a number. */
const embedded = (hi: number, lo: number): number => hi * 65536 + lo;

function rangeOf6(g: number[]): string | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const inside = (v4: number, how: string) => {
    const name = rangeOf4(v4);
    return name && `${how} ${name}`;
  };
  if (zeroTo(7) && g7 === 0) return 'unspecified';
  if (zeroTo(7) && g7 === 1) return 'loopback';
  if (zeroTo(5) && g5 === 0xffff) return inside(embedded(g6, g7), 'IPv4-mapped');
  if (zeroTo(6)) return inside(embedded(g6, g7), 'IPv4-compatible');
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return inside(embedded(g6, g7), 'IPv4-translated');
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return inside(embedded(g6, g7), 'NAT64');
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'local-use NAT64';
  if (g0 === 0x2002) return inside(embedded(g1, g2), '6to4');
  if (g0 === 0x2001 && g1 === 0) return inside(embedded(g6 ^ 0xffff, g7 ^ 0xffff), 'Teredo');
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'discard-only';
  if ((g0 & 0xfe00) === 0xfc00) return 'unique local (fc00::/7, cloud metadata)';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  return undefined;
}

/**
 * The name of the inside range `ip` belongs to, or undefined when it is a public address. `ip` is
 * a literal as a resolver returns it (IPv6 without brackets); anything that is not an IP literal is
 * treated as inside, so a caller can never connect to what it did not classify.
 */
export function insideRange(ip: string): string | undefined {
  if (isIPv4(ip)) return rangeOf4(v4Number(ip));
  if (isIPv6(ip.replace(/%.*$/, ''))) return rangeOf6(v6Groups(ip));
  return 'not an IP address';
}

/** A URL's host name as a connectable literal: IPv6 without its brackets. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
