import { describe, expect, it } from 'vitest';
import { OutboundRefused, OutboundTooLarge } from './network';
import { createOutbound, type OutboundConnector } from './outbound';

/**
 * The port's own rules, over a connector that answers from a table and records what it was asked:
 * what reaches the connector is what would have reached the network.
 */
function scripted(pages: Record<string, { status: number; location?: string; body?: string }>) {
  const asked: Array<{ url: string; method: string }> = [];
  const connector: OutboundConnector = {
    async fetch(url, init) {
      asked.push({ url, method: init.method ?? 'GET' });
      expect(init.redirect).toBe('manual');
      const page = pages[url] ?? { status: 404 };
      return new Response(page.body ?? null, { status: page.status, headers: page.location ? { location: page.location } : {} });
    },
    resolve: async () => null,
  };
  return { connector, asked };
}

describe('outbound port', () => {
  it('refuses a redirect from an allowed host to a refused one before asking for it', async () => {
    const { connector, asked } = scripted({
      'https://docs.example.com/a': { status: 302, location: 'http://0x7f.1/admin' },
      'https://docs.example.com/b': { status: 301, location: '/c' },
      'https://docs.example.com/c': { status: 307, location: 'http://[::ffff:a9fe:a9fe]/latest/meta-data/' },
    });
    const outbound = createOutbound(connector, { allowPrivate: false });
    await expect(outbound.fetch('https://docs.example.com/a', { maxRedirects: 5 })).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
    await expect(outbound.fetch('https://docs.example.com/b', { maxRedirects: 5 })).rejects.toThrow(/cloud metadata/);
    expect(asked.map((a) => a.url)).toEqual(['https://docs.example.com/a', 'https://docs.example.com/b', 'https://docs.example.com/c']);
  });

  it('bounds the number of redirects and turns a 303 into a GET', async () => {
    const { connector, asked } = scripted({
      'https://a.example.com/loop': { status: 302, location: 'https://a.example.com/loop' },
      'https://a.example.com/form': { status: 303, location: 'https://a.example.com/done' },
      'https://a.example.com/done': { status: 200, body: 'done' },
    });
    const outbound = createOutbound(connector, { allowPrivate: false });
    const loop = await outbound.fetch('https://a.example.com/loop', { maxRedirects: 3 }).catch((e: unknown) => e);
    expect(loop).toBeInstanceOf(OutboundRefused);
    expect((loop as Error).message).toMatch(/Too many redirects/);
    expect(asked).toHaveLength(4);
    const done = await outbound.fetch('https://a.example.com/form', { method: 'POST', body: 'x=1', maxRedirects: 3 });
    expect(await done.text()).toBe('done');
    expect(asked.slice(-2).map((a) => a.method)).toEqual(['POST', 'GET']);
  });

  it('does not carry credentials to another origin', async () => {
    const seen: Array<{ url: string; authorization: string | null }> = [];
    const outbound = createOutbound(
      {
        async fetch(url, init) {
          seen.push({ url, authorization: new Headers(init.headers).get('authorization') });
          const location = url.endsWith('/a') ? 'https://api.example.com/b' : url.endsWith('/b') ? 'https://other.example.net/c' : null;
          return new Response(location ? null : 'end', { status: location ? 302 : 200, headers: location ? { location } : {} });
        },
        resolve: async () => null,
      },
      { allowPrivate: false },
    );
    await outbound.fetch('https://api.example.com/a', { headers: { authorization: 'Bearer sk-1' }, maxRedirects: 3 });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer sk-1', 'Bearer sk-1', null]);
  });

  it('never hands a refused URL to the connector', async () => {
    const { connector, asked } = scripted({});
    const outbound = createOutbound(connector, { allowPrivate: false });
    for (const url of ['http://127.1/', 'http://user:pw@example.com/', 'file:///etc/passwd', 'http://metadata.google.internal/', 'http://[fe80::1]/']) {
      await expect(outbound.fetch(url), url).rejects.toBeInstanceOf(OutboundRefused);
      await expect(outbound.send({ url, method: 'POST', headers: {}, body: '', timeoutMs: 1000, maxResponseBytes: 10 }), url).rejects.toBeInstanceOf(OutboundRefused);
      expect(await outbound.check(url), url).not.toBeNull();
    }
    expect(asked).toEqual([]);
  });

  it('counts a decoded body past its declared length, and passes a framed one through whole', async () => {
    const answers: Record<string, Response> = {};
    const connector: OutboundConnector = { fetch: async (url) => answers[url]!, resolve: async () => null };
    const outbound = createOutbound(connector, { allowPrivate: false });
    // A small compressed body the client inflates: its content-length says nothing of the bytes read.
    answers['https://a.example.com/bomb'] = new Response('x'.repeat(5000), { headers: { 'content-length': '40', 'content-encoding': 'gzip' } });
    const bomb = await outbound.fetch('https://a.example.com/bomb', { maxBytes: 1000 });
    await expect(bomb.text()).rejects.toBeInstanceOf(OutboundTooLarge);
    answers['https://a.example.com/chunked'] = new Response('x'.repeat(5000));
    await expect((await outbound.fetch('https://a.example.com/chunked', { maxBytes: 1000 })).text()).rejects.toBeInstanceOf(OutboundTooLarge);
    answers['https://a.example.com/framed'] = new Response('{"ok":true}', { headers: { 'content-length': '11' } });
    const framed = await outbound.fetch('https://a.example.com/framed', { maxBytes: 1000 });
    expect(await framed.json()).toEqual({ ok: true });
  });

  it('fetchText over a connector with fetch alone (Workers): the same refusals, no redirect followed, bounded', async () => {
    const { connector, asked } = scripted({
      'https://a.example.com/moved': { status: 301, location: 'https://a.example.com/elsewhere' },
      'https://a.example.com/big': { status: 200, body: 'x'.repeat(5000) },
      'https://a.example.com/ok': { status: 200, body: '{"ok":true}' },
    });
    const outbound = createOutbound(connector, { allowPrivate: false });
    for (const url of ['http://127.1/', 'http://user:pw@example.com/', 'file:///etc/passwd', 'http://metadata.google.internal/', 'http://[fe80::1]/']) {
      await expect(outbound.fetchText(url, { maxBytes: 100 }), url).rejects.toBeInstanceOf(OutboundRefused);
    }
    expect(asked).toEqual([]);
    const moved = await outbound.fetchText('https://a.example.com/moved', { maxBytes: 100 });
    expect({ status: moved.status, location: moved.headers.location }).toEqual({ status: 301, location: 'https://a.example.com/elsewhere' });
    await expect(outbound.fetchText('https://a.example.com/big', { maxBytes: 1000 })).rejects.toBeInstanceOf(OutboundTooLarge);
    expect(await outbound.fetchText('https://a.example.com/ok', { method: 'POST', body: '{}', maxBytes: 1000 })).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(asked).toEqual([
      { url: 'https://a.example.com/moved', method: 'GET' },
      { url: 'https://a.example.com/big', method: 'GET' },
      { url: 'https://a.example.com/ok', method: 'POST' },
    ]);
    // A decoded body past its declared length is counted; send cuts where fetchText refuses.
    const answers: Record<string, Response> = {};
    const outboundOf = createOutbound({ fetch: async (url) => answers[url]!, resolve: async () => null }, { allowPrivate: false });
    answers['https://a.example.com/bomb'] = new Response('x'.repeat(5000), { headers: { 'content-length': '40', 'content-encoding': 'gzip' } });
    await expect(outboundOf.fetchText('https://a.example.com/bomb', { maxBytes: 1000 })).rejects.toBeInstanceOf(OutboundTooLarge);
    answers['https://a.example.com/hook'] = new Response('y'.repeat(5000));
    expect(await outboundOf.send({ url: 'https://a.example.com/hook', method: 'POST', headers: {}, body: '', timeoutMs: 1000, maxResponseBytes: 10 })).toEqual({ status: 200, body: 'y'.repeat(10) });
  });
});
