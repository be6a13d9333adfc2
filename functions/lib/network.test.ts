import { describe, expect, it } from 'vitest';
import { classifyHost, classifyIp, parseIpv6 } from './network';

describe('address classification', () => {
  it('parses IPv6 with compression and embedded IPv4', () => {
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('[2001:db8::ff00:42:8329]')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329]);
    expect(parseIpv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('fe80::1%eth0')).toBeNull();
    expect(parseIpv6('12345::')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['100.64.0.1', 'private'],
    ['0.0.0.0', 'private'],
    ['224.0.0.1', 'private'],
    ['255.255.255.255', 'private'],
    ['::', 'private'],
    ['fd00::1', 'private'],
    ['fe80::1', 'private'],
    ['ff02::1', 'private'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'private'],
    ['64:ff9b::a9fe:a9fe', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['2001:db8::1', 'private'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:93.184.216.34', 'public'],
    ['2002:5db8:d822::1', 'public'],
  ] as const)('%s is %s', (ip, expected) => {
    expect(classifyIp(ip)).toBe(expected);
  });

  it('classifies host names without DNS', () => {
    expect(classifyIp('example.com')).toBeNull();
    expect(classifyHost('localhost')).toBe('loopback');
    expect(classifyHost('app.localhost')).toBe('loopback');
    expect(classifyHost('LOCALHOST.')).toBe('loopback');
    expect(classifyHost('metadata')).toBe('private');
    expect(classifyHost('metadata.google.internal')).toBe('private');
    expect(classifyHost('printer.local')).toBe('private');
    expect(classifyHost('[::1]')).toBe('loopback');
    expect(classifyHost('hooks.example.com')).toBe('public');
    // What the URL parser makes of numeric tricks is what gets classified.
    expect(classifyHost(new URL('http://2130706433/').hostname)).toBe('loopback');
    expect(classifyHost(new URL('http://0x7f.1/').hostname)).toBe('loopback');
    expect(classifyHost(new URL('http://[::ffff:169.254.169.254]/').hostname)).toBe('private');
  });
});
