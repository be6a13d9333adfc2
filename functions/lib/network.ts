/**
 * Which hosts a server-side request may reach when a user chose the URL (knowledge imports,
 * outgoing webhooks): private, loopback and link-local targets are how SSRF reaches internal
 * services and cloud metadata (169.254.169.254). Web-standard only, so both runtimes share it;
 * on Node the outbound adapter applies the same classification to every address DNS returns.
 */

/** `public`: reachable on the Internet; `loopback`: this machine; `private`: anything else internal or reserved. */
export type AddressClass = 'public' | 'loopback' | 'private';

/** Four octets of a dotted-quad IPv4 address, or null. (URL parsing already turned `0x7f.1` into `127.0.0.1`.) */
export function parseIpv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** Eight 16-bit groups of an IPv6 address (with `::` and an embedded dotted quad expanded), or null. */
export function parseIpv6(host: string): number[] | null {
  let text = stripBrackets(host).toLowerCase();
  if (!text.includes(':') || text.includes('%')) return null;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (!v4) return null;
    text = `${text.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - rest.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...rest] : null;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function classifyIpv4([a, b, c]: number[]): AddressClass {
  if (a === 127) return 'loopback';
  const internal =
    a === 0 ||
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && c === 0) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224;
  return internal ? 'private' : 'public';
}

const v4Of = (g: number[], at: number) => [g[at] >> 8, g[at] & 0xff, g[at + 1] >> 8, g[at + 1] & 0xff];

function classifyIpv6(g: number[]): AddressClass {
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroPrefix(7) && g[7] === 1) return 'loopback';
  if (zeroPrefix(8)) return 'private';
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) reach the IPv4 address.
  if (zeroPrefix(5) && g[5] === 0xffff) return classifyIpv4(v4Of(g, 6));
  if (zeroPrefix(6)) return classifyIpv4(v4Of(g, 6));
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyIpv4(v4Of(g, 6));
  if (g[0] === 0x2002) return classifyIpv4(v4Of(g, 1));
  const internal =
    (g[0] & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (g[0] & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g[0] & 0xffc0) === 0xfec0 || // site-local fec0::/10 (deprecated, still routed by some)
    (g[0] & 0xff00) === 0xff00 || // multicast
    (g[0] === 0x2001 && g[1] === 0x0db8) || // documentation
    (g[0] === 0x2001 && g[1] === 0) || // Teredo: the client address is obfuscated inside
    (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)); // discard-only 100::/64
  return internal ? 'private' : 'public';
}

/** The class of an IP literal, or null when `host` is not one. */
export function classifyIp(host: string): AddressClass | null {
  const v4 = parseIpv4(host);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(host);
  return v6 ? classifyIpv6(v6) : null;
}

export function isIpLiteral(host: string): boolean {
  return classifyIp(host) !== null;
}

/**
 * The class of a URL's hostname without asking DNS: IP literals by range; `localhost` names are
 * loopback; single-label names (`metadata`, `intranet`) and internal suffixes resolve inside the
 * network, so they are private. Other names are `public` until DNS says otherwise.
 */
export function classifyHost(hostname: string): AddressClass {
  const host = stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
  const ip = classifyIp(host);
  if (ip) return ip;
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  if (!host.includes('.')) return 'private';
  if (/\.(local|internal|lan|intranet|corp|home|localdomain|home\.arpa)$/.test(host)) return 'private';
  return 'public';
}

/** A request refused because its host is, or resolves to, an address the policy forbids. Never retried. */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/** The receiver did not answer (headers and body) within the time allowed. */
export class OutboundTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundTimeout';
  }
}
