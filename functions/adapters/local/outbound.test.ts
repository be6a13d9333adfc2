import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefused, OutboundTimeout, classifyIp } from '../../lib/network';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/webhook-receiver';
import { createNodeOutbound } from './outbound';

/** A DNS that answers what the test says: how a rebinding attacker's name server behaves. */
const fakeDns = (records: Record<string, string[]>) => async (hostname: string) => {
  const found = records[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};

const publicOnly = (ip: string) => classifyIp(ip) === 'public';
const loopbackToo = (ip: string) => classifyIp(ip) === 'public' || classifyIp(ip) === 'loopback';

let receiver: WebhookReceiver;
let port: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  port = new URL(receiver.url).port;
});
afterAll(() => receiver.close());

const post = (url: string, allowAddress: (ip: string) => boolean, extra: { timeoutMs?: number; maxResponseBytes?: number } = {}) => ({
  url,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: '{"hello":"world"}',
  timeoutMs: extra.timeoutMs ?? 5000,
  maxResponseBytes: extra.maxResponseBytes ?? 1024,
  allowAddress,
});

describe('Node outbound HTTP', () => {
  it('refuses a host name that resolves to a private address (DNS rebinding), without connecting', async () => {
    const outbound = createNodeOutbound({ resolve: fakeDns({ 'hooks.attacker.test': ['93.184.216.34', '127.0.0.1'] }) });
    const before = receiver.requests.length;
    await expect(outbound.send(post(`http://hooks.attacker.test:${port}/x`, publicOnly))).rejects.toBeInstanceOf(OutboundRefused);
    expect(receiver.requests.length).toBe(before);
  });

  it('connects to the address it checked, not to a second lookup', async () => {
    const outbound = createNodeOutbound({ resolve: fakeDns({ 'hooks.partner.test': ['127.0.0.1'] }) });
    const response = await outbound.send(post(`http://hooks.partner.test:${port}/x`, loopbackToo));
    expect(response).toEqual({ status: 200, body: 'ok' });
    expect(receiver.requests.at(-1)?.headers.host).toBe(`hooks.partner.test:${port}`);
    expect(receiver.requests.at(-1)?.rawBody).toBe('{"hello":"world"}');
  });

  it('checks IP literals, which never go through DNS', async () => {
    const outbound = createNodeOutbound({ resolve: fakeDns({}) });
    await expect(outbound.send(post(`http://127.0.0.1:${port}/x`, publicOnly))).rejects.toBeInstanceOf(OutboundRefused);
    await expect(outbound.send(post(`http://[::ffff:127.0.0.1]:${port}/x`, publicOnly))).rejects.toBeInstanceOf(OutboundRefused);
  });

  it('times out a slow receiver and keeps only the start of a long answer', async () => {
    const outbound = createNodeOutbound();
    receiver.respond = () => ({ status: 200, delayMs: 1000 });
    const started = performance.now();
    await expect(outbound.send(post(receiver.url, loopbackToo, { timeoutMs: 150 }))).rejects.toBeInstanceOf(OutboundTimeout);
    expect(performance.now() - started).toBeLessThan(900);
    receiver.respond = () => ({ status: 502, body: 'x'.repeat(100_000) });
    expect(await outbound.send(post(receiver.url, loopbackToo, { maxResponseBytes: 10 }))).toEqual({ status: 502, body: 'x'.repeat(10) });
    receiver.respond = () => ({ status: 200, body: 'ok' });
  });

  it('reports a name that does not resolve as a plain error', async () => {
    const outbound = createNodeOutbound({ resolve: fakeDns({}) });
    const error = await outbound.send(post('https://missing.example.test/x', publicOnly)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OutboundRefused);
    expect((error as Error).message).toContain('ENOTFOUND');
  });
});
