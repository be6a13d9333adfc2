import { describe, expect, it } from 'vitest';
import { addressRange, addressRefusal, classifyHost, classifyIp, hostRefusal, outboundPolicy, parseIp, urlRefusal } from './network';
import { parseConfig } from './config';

const strict = { allowPrivate: false };
const development = { allowPrivate: true };

/** What the WHATWG URL parser makes of a host is what reaches the policy; both must refuse. */
const hostOf = (url: string) => new URL(url).hostname;

describe('one table of refused ranges', () => {
  it.each([
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.10.1', 'link-local'],
    ['100.100.100.200', 'cloud metadata'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['192.0.0.8', 'IETF protocol assignment'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fd00::1', 'unique local'],
    ['fc12::1', 'unique local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'IETF protocol assignment'],
    ['100::1', 'discard-only'],
    ['64:ff9b:1::a00:1', 'local-use NAT64'],
    ['4000::1', 'reserved'],
    // IPv4 inside IPv6: judged by the IPv4 address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:0101::1', 'private'],
  ])('%s is refused as %s', (address, label) => {
    expect(addressRange(address)?.label).toBe(label);
    expect(addressRefusal(address, strict)).toContain(label);
  });

  it.each(['93.184.216.34', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:93.184.216.34', '64:ff9b::5db8:d822', '2002:5db8:d822::1'])(
    '%s is public',
    (address) => {
      expect(addressRange(address)).toBeNull();
      expect(addressRefusal(address, strict)).toBeNull();
    },
  );
});

describe('every textual form of an address', () => {
  it.each([
    ['decimal', 'http://2130706433/', '127.0.0.1'],
    ['octal', 'http://0177.0.0.1/', '127.0.0.1'],
    ['hex', 'http://0x7f.1/', '127.0.0.1'],
    ['hex as one number', 'http://0x7f000001/', '127.0.0.1'],
    ['short', 'http://127.1/', '127.0.0.1'],
    ['mixed forms', 'http://0xa9.0376.43518/', '169.254.169.254'],
    ['trailing dot on a literal', 'http://127.0.0.1./', '127.0.0.1'],
    ['IPv4-mapped dotted', 'http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['IPv4-mapped hex', 'http://[::ffff:7f00:1]/', '::ffff:7f00:1'],
    ['IPv6 spelled long', 'http://[0000:0000:0000:0000:0000:0000:0000:0001]/', '::1'],
    ['fullwidth digits', 'http://１２７.０.０.１/', '127.0.0.1'],
    ['uppercase IPv6', 'http://[::FFFF:A9FE:A9FE]/', '::ffff:a9fe:a9fe'],
  ])('%s: %s', (_form, url, canonical) => {
    expect(hostOf(url).replace(/^\[|\]$/g, '')).toBe(canonical);
    expect(urlRefusal(url, strict)).not.toBeNull();
  });

  it('parses the forms getaddrinfo accepts even when no URL parser saw them first', () => {
    for (const text of ['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '0x7f000001', '017700000001', '127.0.0.1.', '[::1]', '::ffff:7f00:1']) {
      expect(parseIp(text)?.toString(), text).toMatch(/^(127\.0\.0\.1|::1|::ffff:7f00:1)$/);
      expect(hostRefusal(text, strict), text).toMatch(/loopback/);
    }
    expect(parseIp('example.com')).toBeNull();
    expect(parseIp('0x7f.example.com')).toBeNull();
  });

  it('refuses names that point inside by convention, with or without a trailing dot, in any case', () => {
    for (const host of ['localhost', 'LOCALHOST.', 'app.localhost', 'metadata', 'metadata.google.internal', 'printer.local', 'nas.lan', 'router.home.arpa']) {
      expect(hostRefusal(host, strict), host).not.toBeNull();
    }
    // Metadata services by name stay refused with the development setting too.
    expect(hostRefusal('metadata.google.internal.', development)).toMatch(/cloud metadata.*never allowed/);
    expect(hostRefusal('printer.local', development)).toBeNull();
    expect(hostRefusal('hooks.example.com', strict)).toBeNull();
    expect(hostRefusal('hooks.example.com.', strict)).toBeNull();
    // IDN names are punycode by the time they reach the policy, and judged by DNS like any name.
    expect(hostOf('http://bücher.example/')).toBe('xn--bcher-kva.example');
    expect(urlRefusal('http://bücher.example/', strict)).toBeNull();
  });

  it('refuses credentials before the host and schemes other than http(s)', () => {
    expect(urlRefusal('http://user:pass@93.184.216.34/', strict)).toMatch(/credentials/);
    expect(urlRefusal('http://user@example.com/', strict)).toMatch(/credentials/);
    // The classic confusion: the real host is what follows the @.
    expect(hostOf('http://example.com@127.0.0.1/')).toBe('127.0.0.1');
    expect(urlRefusal('http://example.com@127.0.0.1/', strict)).not.toBeNull();
    for (const url of ['file:///etc/passwd', 'gopher://example.com/', 'ftp://example.com/', 'not a url']) expect(urlRefusal(url, strict), url).not.toBeNull();
    expect(urlRefusal('https://example.com/a?b=c', strict)).toBeNull();
  });
});

describe('the policy', () => {
  it('names the setting when it would open the range, and says never when it would not', () => {
    expect(addressRefusal('10.0.0.5', strict, 'docs.attacker.test')).toBe(
      'docs.attacker.test resolves to 10.0.0.5, a private address. For local development set ALLOW_PRIVATE_URLS=true.',
    );
    expect(addressRefusal('169.254.169.254', strict)).toBe('169.254.169.254 is a cloud metadata address. This is never allowed.');
    expect(addressRefusal('::ffff:a9fe:a9fe', strict)).toMatch(/cloud metadata address \(169\.254\.169\.254 inside IPv6\)/);
  });

  it('ALLOW_PRIVATE_URLS opens loopback, private, CGNAT and unique local, never metadata, link-local or reserved', () => {
    for (const open of ['127.0.0.1', '::1', '10.0.0.5', '192.168.1.2', '100.64.1.1', 'fd00::5', '::ffff:127.0.0.1']) expect(addressRefusal(open, development), open).toBeNull();
    expect(hostRefusal('localhost', development)).toBeNull();
    for (const closed of ['169.254.169.254', 'fd00:ec2::254', '169.254.1.1', '0.0.0.0', '::', '224.0.0.1', 'fe80::1', '64:ff9b::a9fe:a9fe']) {
      expect(addressRefusal(closed, development), closed).not.toBeNull();
    }
  });

  it('reads one setting, and still honours the old webhook name on the local runtime', () => {
    const secrets = { JWT_SECRET: 'j'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), QSTASH_CURRENT_SIGNING_KEY: 'c'.repeat(32), QSTASH_NEXT_SIGNING_KEY: 'n'.repeat(32) };
    const config = (env: Record<string, string>, runtime: 'local' | 'edge' = 'local') => parseConfig({ ...secrets, APP_URL: 'http://localhost:8787', runtime, ...env });
    expect(outboundPolicy(config({}))).toEqual({ allowPrivate: false });
    expect(outboundPolicy(config({ ALLOW_PRIVATE_URLS: 'true' }))).toEqual({ allowPrivate: true });
    expect(outboundPolicy(config({ WEBHOOKS_ALLOW_LOOPBACK: 'true' }))).toEqual({ allowPrivate: true });
    expect(outboundPolicy(config({ WEBHOOKS_ALLOW_LOOPBACK: 'true' }, 'edge'))).toEqual({ allowPrivate: false });
  });

  it('keeps the coarse classes other modules read', () => {
    expect(classifyIp('127.0.0.1')).toBe('loopback');
    expect(classifyIp('169.254.169.254')).toBe('private');
    expect(classifyIp('93.184.216.34')).toBe('public');
    expect(classifyIp('example.com')).toBeNull();
    expect(classifyHost('LOCALHOST.')).toBe('loopback');
    expect(classifyHost('metadata')).toBe('private');
    expect(classifyHost('hooks.example.com')).toBe('public');
  });
});
