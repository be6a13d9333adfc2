import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefused, OutboundTimeout, OutboundTooLarge } from '../../lib/network';
import { createNodeOutbound } from './outbound';

/** A DNS that answers what the test says: how a rebinding attacker's name server behaves. */
const fakeDns = (records: Record<string, string[]>) => async (hostname: string) => {
  const found = records[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};

const strict = { allowPrivate: false };
const development = { allowPrivate: true };

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A site on loopback: every request it gets is kept, so a test can prove nothing reached it. */
let server: Server;
let port: number;
const seen: Seen[] = [];
/** `hold`: the headers and the body so far go out, the rest never does (a receiver that trickles). */
let answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string | Buffer; delayMs?: number; hold?: boolean } = () => ({ status: 200, body: 'ok' });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = answer(req.url ?? '/');
      const send = () => {
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        if (reply.hold) res.write(reply.body ?? '');
        else res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((done) => server.close(() => done()));
});

const post = (url: string, extra: { timeoutMs?: number; maxResponseBytes?: number } = {}) => ({
  url,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: '{"hello":"world"}',
  timeoutMs: extra.timeoutMs ?? 5000,
  maxResponseBytes: extra.maxResponseBytes ?? 1024,
});

describe('Node outbound port', () => {
  it('refuses a public-looking name that resolves to loopback, without connecting', async () => {
    const outbound = createNodeOutbound({ policy: strict, resolve: fakeDns({ 'docs.attacker.test': ['127.0.0.1'] }) });
    const before = seen.length;
    const error = await outbound.fetch(`http://docs.attacker.test:${port}/secret`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRefused);
    expect((error as Error).message).toBe('docs.attacker.test resolves to 127.0.0.1, a loopback address. For local development set ALLOW_PRIVATE_URLS=true.');
    await expect(outbound.send(post(`http://docs.attacker.test:${port}/x`))).rejects.toBeInstanceOf(OutboundRefused);
    expect(seen.length).toBe(before);
  });

  it('refuses a name when any of its addresses is refused (DNS rebinding with mixed records)', async () => {
    const outbound = createNodeOutbound({ policy: strict, resolve: fakeDns({ 'hooks.attacker.test': ['93.184.216.34', '127.0.0.1'] }) });
    const before = seen.length;
    await expect(outbound.fetch(`http://hooks.attacker.test:${port}/x`)).rejects.toThrow(/resolves to 127\.0\.0\.1/);
    expect(seen.length).toBe(before);
  });

  it('refuses metadata even with ALLOW_PRIVATE_URLS, by name or by IPv4-mapped form', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'meta.attacker.test': ['::ffff:169.254.169.254'] }) });
    await expect(outbound.fetch('http://meta.attacker.test/latest/meta-data/')).rejects.toThrow(/cloud metadata address \(169\.254\.169\.254 inside IPv6\)\. This is never allowed/);
  });

  it('checks IP literals in every form, which never go through DNS', async () => {
    const outbound = createNodeOutbound({ policy: strict, resolve: fakeDns({}) });
    const before = seen.length;
    for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '127.0.0.1.']) {
      await expect(outbound.fetch(`http://${host}:${port}/x`), host).rejects.toBeInstanceOf(OutboundRefused);
    }
    await expect(outbound.fetch(`http://user:pass@localhost.:${port}/x`)).rejects.toThrow(/credentials/);
    expect(seen.length).toBe(before);
  });

  it('connects to the address it checked, keeping the name for Host', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'hooks.partner.test': ['127.0.0.1'] }) });
    answer = () => ({ status: 200, body: 'ok' });
    expect(await outbound.send(post(`http://hooks.partner.test:${port}/x`))).toEqual({ status: 200, body: 'ok' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"hello":"world"}', headers: { host: `hooks.partner.test:${port}` } });
  });

  it('checks every redirect hop again and stops at the first refused one', async () => {
    const outbound = createNodeOutbound({
      policy: development,
      resolve: fakeDns({ 'site.partner.test': ['127.0.0.1'], 'next.partner.test': ['127.0.0.1'], 'meta.attacker.test': ['169.254.169.254'] }),
    });
    answer = (path) =>
      path === '/start'
        ? { status: 302, headers: { location: `http://next.partner.test:${port}/middle` } }
        : path === '/middle'
          ? { status: 301, headers: { location: 'http://meta.attacker.test/latest/meta-data/' } }
          : { status: 200, body: 'secret' };
    const before = seen.length;
    await expect(outbound.fetch(`http://site.partner.test:${port}/start`, { maxRedirects: 5 })).rejects.toThrow(/meta\.attacker\.test resolves to 169\.254\.169\.254/);
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/start', '/middle']);

    answer = (path) => (path === '/start' ? { status: 302, headers: { location: `http://next.partner.test:${port}/end` } } : { status: 200, body: 'page' });
    const followed = await outbound.fetch(`http://site.partner.test:${port}/start`, { maxRedirects: 5 });
    expect({ status: followed.status, url: followed.url, body: await followed.text() }).toEqual({ status: 200, url: `http://next.partner.test:${port}/end`, body: 'page' });
    // Without maxRedirects the 3xx comes back as it is.
    expect((await outbound.fetch(`http://site.partner.test:${port}/start`)).status).toBe(302);
    answer = () => ({ status: 200, body: 'ok' });
  });

  it('bounds time and size', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'slow.partner.test': ['127.0.0.1'] }) });
    answer = () => ({ status: 200, delayMs: 1000 });
    await expect(outbound.send(post(`http://slow.partner.test:${port}/x`, { timeoutMs: 150 }))).rejects.toBeInstanceOf(OutboundTimeout);
    await expect(outbound.fetch(`http://slow.partner.test:${port}/x`, { timeoutMs: 150 })).rejects.toBeInstanceOf(OutboundTimeout);
    answer = () => ({ status: 502, body: 'x'.repeat(100_000) });
    expect(await outbound.send(post(`http://slow.partner.test:${port}/x`, { maxResponseBytes: 10 }))).toEqual({ status: 502, body: 'x'.repeat(10) });
    const large = await outbound.fetch(`http://slow.partner.test:${port}/x`, { maxBytes: 1000 });
    await expect(large.text()).rejects.toBeInstanceOf(OutboundTooLarge);
    answer = () => ({ status: 200, headers: { 'content-length': '100000' }, body: 'x'.repeat(100_000) });
    await expect(outbound.fetch(`http://slow.partner.test:${port}/x`, { maxBytes: 1000 })).rejects.toBeInstanceOf(OutboundTooLarge);
    answer = () => ({ status: 200, body: 'ok' });
  });

  it('save-time check: the URL, then every address DNS gives', async () => {
    const outbound = createNodeOutbound({ policy: strict, resolve: fakeDns({ 'ok.example.test': ['93.184.216.34', '2606:4700::1111'], 'bad.example.test': ['93.184.216.34', '10.0.0.5'] }) });
    expect(await outbound.check('https://ok.example.test/hook')).toBeNull();
    expect(await outbound.check('https://bad.example.test/hook')).toBe('bad.example.test resolves to 10.0.0.5, a private address. For local development set ALLOW_PRIVATE_URLS=true.');
    expect(await outbound.check('https://169.254.169.254/')).toMatch(/never allowed/);
    expect(await outbound.check('https://missing.example.test/')).toBeNull();
  });

  it('reports a name that does not resolve as a plain error', async () => {
    const outbound = createNodeOutbound({ policy: strict, resolve: fakeDns({}) });
    const error = await outbound.fetch('https://missing.example.test/x').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OutboundRefused);
    expect(JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) })).toContain('ENOTFOUND');
  });
});

describe('Node outbound port: fetchText (agent.request on the same guarded Agent)', () => {
  const get = { maxBytes: 1_000_000, timeoutMs: 5000 };

  it('refuses what fetch refuses, before connecting', async () => {
    const outbound = createNodeOutbound({
      policy: strict,
      resolve: fakeDns({ 'docs.attacker.test': ['127.0.0.1'], 'hooks.attacker.test': ['93.184.216.34', '127.0.0.1'] }),
    });
    const before = seen.length;
    const rebound = await outbound.fetchText(`http://docs.attacker.test:${port}/secret`, get).catch((e: unknown) => e);
    expect(rebound).toBeInstanceOf(OutboundRefused);
    expect((rebound as Error).message).toBe('docs.attacker.test resolves to 127.0.0.1, a loopback address. For local development set ALLOW_PRIVATE_URLS=true.');
    await expect(outbound.fetchText(`http://hooks.attacker.test:${port}/x`, get)).rejects.toThrow(/resolves to 127\.0\.0\.1/);
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', '[::1]', '127.0.0.1.']) {
      await expect(outbound.fetchText(`http://${host}:${port}/x`, get), host).rejects.toBeInstanceOf(OutboundRefused);
    }
    await expect(outbound.fetchText(`http://user:pass@localhost.:${port}/x`, get)).rejects.toThrow(/credentials/);
    expect(seen.length).toBe(before);
    const metadata = createNodeOutbound({ policy: development, resolve: fakeDns({ 'meta.attacker.test': ['::ffff:169.254.169.254'] }) });
    await expect(metadata.fetchText('http://meta.attacker.test/latest/meta-data/', get)).rejects.toThrow(/cloud metadata address .* This is never allowed/);
  });

  it('connects to the address it checked, with the Host and the default headers fetch sends', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'api.partner.test': ['127.0.0.1'] }) });
    answer = () => ({ status: 201, headers: { 'content-type': 'application/json', 'x-order': 'A-1' }, body: '{"order":{"status":"shipped"}}' });
    const got = await outbound.fetchText(`http://api.partner.test:${port}/orders?email=ana%40example.com#frag`, get);
    expect(got).toMatchObject({ status: 201, body: '{"order":{"status":"shipped"}}', headers: { 'content-type': 'application/json', 'x-order': 'A-1' } });
    const viaText = seen.at(-1)!;
    expect(viaText).toMatchObject({ method: 'GET', path: '/orders?email=ana%40example.com', headers: { host: `api.partner.test:${port}` } });
    // What fetch sends when the caller says nothing, fetchText sends too; the caller's own win.
    await (await outbound.fetch(`http://api.partner.test:${port}/orders`)).text();
    const viaFetch = seen.at(-1)!;
    for (const name of ['accept', 'accept-language', 'user-agent']) expect(viaText.headers[name], name).toBe(viaFetch.headers[name]);
    await outbound.fetchText(`http://api.partner.test:${port}/notes`, { ...get, method: 'POST', body: 'plain words' });
    await (await outbound.fetch(`http://api.partner.test:${port}/notes`, { method: 'POST', body: 'plain words' })).text();
    expect(seen.at(-2)).toMatchObject({ method: 'POST', body: 'plain words', headers: { 'content-type': seen.at(-1)!.headers['content-type'] } });
    await outbound.fetchText(`http://api.partner.test:${port}/notes`, { ...get, method: 'PUT', headers: { 'Content-Type': 'application/json', 'User-Agent': 'flows/1' }, body: '{"a":1}' });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json', 'user-agent': 'flows/1' } });
    answer = () => ({ status: 200, body: 'ok' });
  });

  it('returns a redirect as it is and never follows it', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'site.partner.test': ['127.0.0.1'] }) });
    answer = (path) => (path === '/start' ? { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } } : { status: 200, body: 'followed' });
    const before = seen.length;
    const got = await outbound.fetchText(`http://site.partner.test:${port}/start`, get);
    expect({ status: got.status, location: got.headers.location }).toEqual({ status: 302, location: 'http://169.254.169.254/latest/meta-data/' });
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/start']);
    answer = () => ({ status: 200, body: 'ok' });
  });

  it('bounds time, for the headers and for a body that trickles; the caller aborting is not a timeout', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'slow.partner.test': ['127.0.0.1'] }) });
    answer = () => ({ status: 200, delayMs: 1000 });
    await expect(outbound.fetchText(`http://slow.partner.test:${port}/x`, { ...get, timeoutMs: 150 })).rejects.toBeInstanceOf(OutboundTimeout);
    answer = () => ({ status: 200, body: 'the first part', hold: true });
    await expect(outbound.fetchText(`http://slow.partner.test:${port}/x`, { ...get, timeoutMs: 150 })).rejects.toBeInstanceOf(OutboundTimeout);
    // The same with a declared length (read whole, without counting).
    answer = () => ({ status: 200, headers: { 'content-length': '100' }, body: 'the first part', hold: true });
    await expect(outbound.fetchText(`http://slow.partner.test:${port}/x`, { ...get, timeoutMs: 150 })).rejects.toBeInstanceOf(OutboundTimeout);
    await expect(outbound.send(post(`http://slow.partner.test:${port}/x`, { timeoutMs: 150 }))).rejects.toBeInstanceOf(OutboundTimeout);
    // An excerpt is done once it has its bytes, whatever the rest of the body does.
    expect(await outbound.send(post(`http://slow.partner.test:${port}/x`, { timeoutMs: 5000, maxResponseBytes: 9 }))).toEqual({ status: 200, body: 'the first' });
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 50);
    const aborted = await outbound.fetchText(`http://slow.partner.test:${port}/x`, { ...get, signal: caller.signal }).catch((e: unknown) => e);
    expect(aborted).not.toBeInstanceOf(OutboundTimeout);
    expect((aborted as Error).name).toBe('AbortError');
    answer = () => ({ status: 200, body: 'ok' });
  });

  it('bounds size: a declared length, a chunked body, and a decoded one past its declared length', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'big.partner.test': ['127.0.0.1'] }) });
    const url = `http://big.partner.test:${port}/x`;
    answer = () => ({ status: 200, body: 'x'.repeat(100_000) });
    await expect(outbound.fetchText(url, { ...get, maxBytes: 1000 })).rejects.toBeInstanceOf(OutboundTooLarge);
    answer = () => ({ status: 200, headers: { 'content-length': '100000' }, body: 'x'.repeat(100_000) });
    await expect(outbound.fetchText(url, { ...get, maxBytes: 1000 })).rejects.toBeInstanceOf(OutboundTooLarge);
    for (const [coding, encode] of [['gzip', gzipSync], ['deflate', deflateRawSync]] as const) {
      const bomb = encode('x'.repeat(100_000));
      answer = () => ({ status: 200, headers: { 'content-encoding': coding, 'content-length': String(bomb.length) }, body: bomb });
      await expect(outbound.fetchText(url, { ...get, maxBytes: 1000 }), coding).rejects.toBeInstanceOf(OutboundTooLarge);
    }
    answer = () => ({ status: 200, headers: { 'content-length': '1000' }, body: 'y'.repeat(1000) });
    expect((await outbound.fetchText(url, { ...get, maxBytes: 1000 })).body).toBe('y'.repeat(1000));
    // The connection is still good after a refused body.
    answer = () => ({ status: 200, body: 'ok' });
    expect((await outbound.fetchText(url, get)).body).toBe('ok');
  });

  it('decodes a compressed body as fetch does, and reads UTF-8 as Response.text() does', async () => {
    const outbound = createNodeOutbound({ policy: development, resolve: fakeDns({ 'zip.partner.test': ['127.0.0.1'] }) });
    const url = `http://zip.partner.test:${port}/x`;
    const json = '{"city":"Málaga","note":"ñandú 🐦"}';
    // `deflate` comes zlib-wrapped (RFC 9110) or raw (what some servers send): fetch reads both.
    const codings = [['gzip', gzipSync], ['br', brotliCompressSync], ['deflate', deflateSync], ['deflate', deflateRawSync]] as const;
    for (const [coding, encode] of codings) {
      const label = `${coding} (${encode.name})`;
      answer = () => ({ status: 200, headers: { 'content-encoding': coding }, body: encode(json) });
      const got = await outbound.fetchText(url, { ...get, headers: { 'Accept-Encoding': 'gzip, br, deflate' } });
      expect(got.body, label).toBe(json);
      expect(got.body, label).toBe(await (await outbound.fetch(url, { headers: { 'Accept-Encoding': 'gzip, br, deflate' } })).text());
    }
    // Bytes that are not deflate at all (either form) fail the call; nothing escapes it.
    answer = () => ({ status: 200, headers: { 'content-encoding': 'deflate' }, body: Buffer.from([0x78, 0x9c, 0xff, 0xff, 0x00, 0x01, 0x02, 0x03]) });
    await expect(outbound.fetchText(url, get)).rejects.toThrow();
    answer = () => ({ status: 200, headers: { 'content-encoding': 'deflate' }, body: Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01]) });
    await expect(outbound.fetchText(url, get)).rejects.toThrow();
    answer = () => ({ status: 200, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]) });
    expect((await outbound.fetchText(url, get)).body).toBe(json);
    answer = () => ({ status: 200, body: 'ok' });
  });

  it('reports a name that does not resolve as a plain error', async () => {
    const outbound = createNodeOutbound({ policy: strict, resolve: fakeDns({}) });
    const error = await outbound.fetchText('https://missing.example.test/x', get).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OutboundRefused);
    expect(JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause) })).toContain('ENOTFOUND');
  });
});
