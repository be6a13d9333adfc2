import ipaddr from 'ipaddr.js';
import type { Config } from './config';
import { ApiError } from './errors';

/**
 * Which addresses a server-side request may reach when a tenant chose the URL (knowledge imports
 * and crawls, provider base URLs, outgoing webhooks): loopback, private and link-local targets are
 * how SSRF reaches internal services and cloud metadata (169.254.169.254). One table of refused
 * ranges, one parser for every textual form of a host, one policy. Web-standard, so both runtimes
 * share it; `lib/outbound.ts` applies it to every hop, and the Node adapter to every address DNS
 * returns, at connect time.
 */

interface RefusedRange {
  cidr: string;
  /** Reads after "a": "a loopback address". */
  label: string;
  /** Opened by ALLOW_PRIVATE_URLS for local development; the others are never useful targets. */
  development: boolean;
}

/**
 * Every range an outbound request may not reach; the first match wins, so narrow entries come
 * first. IPv6 forms that embed an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4) are judged
 * by the IPv4 address inside, and IPv6 outside global unicast (2000::/3) is refused as reserved.
 */
export const REFUSED_RANGES: readonly RefusedRange[] = [
  // Cloud metadata services hand out credentials; no setting opens them.
  { cidr: '169.254.169.254/32', label: 'cloud metadata', development: false },
  { cidr: '100.100.100.200/32', label: 'cloud metadata', development: false }, // Alibaba Cloud
  { cidr: 'fd00:ec2::254/128', label: 'cloud metadata', development: false }, // AWS over IPv6
  // 0.0.0.0 reaches this machine on Linux.
  { cidr: '0.0.0.0/8', label: 'unspecified', development: false },
  { cidr: '10.0.0.0/8', label: 'private', development: true },
  { cidr: '100.64.0.0/10', label: 'carrier-grade NAT', development: true },
  { cidr: '127.0.0.0/8', label: 'loopback', development: true },
  { cidr: '169.254.0.0/16', label: 'link-local', development: false },
  { cidr: '172.16.0.0/12', label: 'private', development: true },
  { cidr: '192.0.0.0/24', label: 'IETF protocol assignment', development: false },
  { cidr: '192.0.2.0/24', label: 'documentation', development: false },
  { cidr: '192.88.99.0/24', label: '6to4 relay', development: false },
  { cidr: '192.168.0.0/16', label: 'private', development: true },
  { cidr: '198.18.0.0/15', label: 'benchmarking', development: false },
  { cidr: '198.51.100.0/24', label: 'documentation', development: false },
  { cidr: '203.0.113.0/24', label: 'documentation', development: false },
  { cidr: '224.0.0.0/4', label: 'multicast', development: false },
  { cidr: '255.255.255.255/32', label: 'broadcast', development: false },
  { cidr: '240.0.0.0/4', label: 'reserved', development: false },
  { cidr: '::/128', label: 'unspecified', development: false },
  { cidr: '::1/128', label: 'loopback', development: true },
  { cidr: '64:ff9b:1::/48', label: 'local-use NAT64', development: false },
  { cidr: '100::/64', label: 'discard-only', development: false },
  // Teredo hides the client address inside; benchmarking and ORCHID are never web servers.
  { cidr: '2001::/23', label: 'IETF protocol assignment', development: false },
  { cidr: '2001:db8::/32', label: 'documentation', development: false },
  { cidr: '3fff::/20', label: 'documentation', development: false },
  { cidr: 'fc00::/7', label: 'unique local', development: true },
  { cidr: 'fe80::/10', label: 'link-local', development: false },
  { cidr: 'fec0::/10', label: 'site-local', development: false },
  { cidr: 'ff00::/8', label: 'multicast', development: false },
];

const PARSED_RANGES = REFUSED_RANGES.map((range) => ({ ...range, subnet: ipaddr.parseCIDR(range.cidr) }));
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const EMBEDDED_V4: ReadonlyArray<{ subnet: [ipaddr.IPv6, number]; at: number }> = [
  { subnet: ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), at: 12 }, // IPv4-mapped
  { subnet: ipaddr.IPv6.parseCIDR('::/96'), at: 12 }, // IPv4-compatible (deprecated, still routed by some stacks)
  { subnet: ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), at: 12 }, // SIIT (RFC 6145)
  { subnet: ipaddr.IPv6.parseCIDR('64:ff9b::/96'), at: 12 }, // NAT64 well-known prefix
  { subnet: ipaddr.IPv6.parseCIDR('2002::/16'), at: 2 }, // 6to4
];

/** Where an address falls: null for a public address, else the refused range it is in. */
export interface AddressRange {
  label: string;
  development: boolean;
  /** The IPv4 address an IPv6 form carries, when that is what was judged. */
  embedded?: string;
}

/**
 * An IP address in any textual form a URL parser or `getaddrinfo` accepts: dotted quad, decimal
 * (`2130706433`), octal (`0177.0.0.1`), hex (`0x7f.1`), short (`127.1`), bracketed or zoned IPv6,
 * with a trailing dot. Null when `text` is a host name.
 */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const host = stripBrackets(text.trim().toLowerCase()).replace(/\.$/, '');
  if (!host || !ipaddr.isValid(host)) return null;
  try {
    return ipaddr.parse(host);
  } catch {
    return null;
  }
}

function lookupRange(ip: ipaddr.IPv4 | ipaddr.IPv6): AddressRange | null {
  for (const range of PARSED_RANGES) {
    if (ip.kind() === range.subnet[0].kind() && ip.match(range.subnet)) return { label: range.label, development: range.development };
  }
  return null;
}

/** The refused range an address is in, or null when it is public. */
export function addressRange(text: string): AddressRange | null {
  const ip = parseIp(text);
  if (!ip) return { label: 'unparseable', development: false };
  const listed = lookupRange(ip);
  if (listed || ip.kind() === 'ipv4') return listed;
  const v6 = ip as ipaddr.IPv6;
  const embedding = EMBEDDED_V4.find((form) => v6.match(form.subnet));
  if (embedding) {
    const v4 = ipaddr.IPv4.parse(v6.toByteArray().slice(embedding.at, embedding.at + 4).join('.'));
    const inner = lookupRange(v4);
    return inner ? { ...inner, embedded: v4.toString() } : null;
  }
  return v6.match(GLOBAL_UNICAST_V6) ? null : { label: 'reserved', development: false };
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Cloud metadata services by name: refused before DNS, with or without the development setting. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

/** Names that point inside a network by convention, without asking DNS. */
function nameRange(host: string): AddressRange | null {
  if (METADATA_NAMES.has(host)) return { label: 'cloud metadata', development: false };
  if (host === 'localhost' || host.endsWith('.localhost')) return { label: 'loopback', development: true };
  // Single-label names (`metadata`, `intranet`) resolve through the local search domain.
  if (!host.includes('.')) return { label: 'internal', development: true };
  if (/\.(local|internal|lan|intranet|corp|home|localdomain|home\.arpa)$/.test(host)) return { label: 'internal', development: true };
  return null;
}

/** The refused range a URL's host is in, without DNS: IP literals by the table, names by convention. */
export function hostRange(hostname: string): AddressRange | null {
  const host = stripBrackets(hostname.trim().toLowerCase()).replace(/\.$/, '');
  return parseIp(host) ? addressRange(host) : nameRange(host);
}

/** Who may reach which ranges: one operator setting for the whole deployment. */
export interface OutboundPolicy {
  /** Loopback, private, CGNAT and unique-local targets (never metadata, link-local or reserved). */
  allowPrivate: boolean;
}

export const PRIVATE_URLS_SETTING = 'ALLOW_PRIVATE_URLS';

/**
 * `ALLOW_PRIVATE_URLS=true` opens private targets for local development. The old
 * `WEBHOOKS_ALLOW_LOOPBACK` is still accepted as the same switch, on the local runtime only, as before.
 */
export function outboundPolicy(config: Pick<Config, 'ALLOW_PRIVATE_URLS' | 'WEBHOOKS_ALLOW_LOOPBACK' | 'runtime'>): OutboundPolicy {
  return { allowPrivate: config.ALLOW_PRIVATE_URLS || (config.WEBHOOKS_ALLOW_LOOPBACK && config.runtime === 'local') };
}

function article(label: string) {
  return /^([aeio]|unspec)/i.test(label) ? 'an' : 'a';
}

/** Why the policy refuses a range, naming the setting when the setting would open it. */
function rangeRefusal(subject: string, range: AddressRange, policy: OutboundPolicy): string | null {
  if (range.development && policy.allowPrivate) return null;
  const what = range.embedded ? `${article(range.label)} ${range.label} address (${range.embedded} inside IPv6)` : `${article(range.label)} ${range.label} address`;
  const hint = range.development
    ? ` For local development set ${PRIVATE_URLS_SETTING}=true.`
    : ' This is never allowed.';
  return `${subject} ${what}.${hint}`;
}

/** Why an IP address (a literal, or what DNS returned for `hostname`) may not be reached, or null. */
export function addressRefusal(address: string, policy: OutboundPolicy, hostname?: string): string | null {
  const range = addressRange(address);
  if (!range) return null;
  const shown = stripBrackets(address);
  return rangeRefusal(hostname ? `${hostname} resolves to ${shown},` : `${shown} is`, range, policy);
}

/** Why a host may not be reached without asking DNS, or null (names are checked again after DNS). */
export function hostRefusal(hostname: string, policy: OutboundPolicy): string | null {
  const host = stripBrackets(hostname.toLowerCase());
  if (parseIp(host)) return addressRefusal(host, policy);
  const range = nameRange(host.replace(/\.$/, ''));
  return range ? rangeRefusal(`${host} is`, range, policy) : null;
}

/**
 * Why a URL may not be requested, or null. Only http(s); no credentials before the host (they
 * would be sent as Basic auth to whoever answers, and `user@host` hides the real host from readers).
 */
export function urlRefusal(raw: string, policy: OutboundPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Only http and https URLs are allowed';
  if (url.username || url.password) return 'URLs with credentials before the host (user:password@) are not allowed; put them in the path or the query string';
  return hostRefusal(url.hostname, policy);
}

/** The 422 answer for a URL the policy refuses, on the field that holds it. */
export function urlNotAllowed(message: string, path = 'url') {
  return new ApiError('validation_failed', message, { details: [{ path, message, code: 'url_not_allowed' }] });
}

/** `public`: reachable on the Internet; `loopback`: this machine; `private`: anything else internal or reserved. */
export type AddressClass = 'public' | 'loopback' | 'private';

const toClass = (range: AddressRange | null): AddressClass => (!range ? 'public' : range.label === 'loopback' ? 'loopback' : 'private');

/** The class of an IP literal, or null when `host` is not one. */
export function classifyIp(host: string): AddressClass | null {
  return parseIp(host) ? toClass(addressRange(host)) : null;
}

/** The class of a URL's hostname without asking DNS (names are `public` until DNS says otherwise). */
export function classifyHost(hostname: string): AddressClass {
  return toClass(hostRange(hostname));
}

/** A request refused because its URL or host is, or resolves to, an address the policy forbids. Never retried. */
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

/** The answer was longer than the caller accepts; the rest was not read. */
export class OutboundTooLarge extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundTooLarge';
  }
}
