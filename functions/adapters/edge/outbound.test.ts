import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefused, OutboundTimeout, classifyIp } from '../../lib/network';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/webhook-receiver';
import { createFetchOutbound } from './outbound';

/** The Workers adapter uses only `fetch`, so Node runs the same code workerd does. */
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

const loopbackToo = (ip: string) => classifyIp(ip) !== 'private';
const post = (url: string, allowAddress: (ip: string) => boolean, extra: { timeoutMs?: number; maxResponseBytes?: number } = {}) => ({
  url,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', 'versaai-event-id': 'evt_1' },
  body: '{"a":1}',
  timeoutMs: extra.timeoutMs ?? 5000,
  maxResponseBytes: extra.maxResponseBytes ?? 1024,
  allowAddress,
});

describe('Workers outbound HTTP', () => {
  const outbound = createFetchOutbound();

  it('cannot resolve names and checks IP literals', async () => {
    expect(await outbound.resolve('hooks.example.com')).toBeNull();
    await expect(outbound.send(post(receiver.url, (ip) => classifyIp(ip) === 'public'))).rejects.toBeInstanceOf(OutboundRefused);
    expect(receiver.requests).toHaveLength(0);
  });

  it('posts, keeps the start of the answer, and does not follow redirects', async () => {
    receiver.respond = () => ({ status: 201, body: 'é'.repeat(50) });
    expect(await outbound.send(post(receiver.url, loopbackToo, { maxResponseBytes: 10 }))).toEqual({ status: 201, body: 'é'.repeat(5) });
    expect(receiver.requests[0]).toMatchObject({ rawBody: '{"a":1}', headers: { 'versaai-event-id': 'evt_1' } });
    receiver.respond = () => ({ status: 302 });
    expect((await outbound.send(post(receiver.url, loopbackToo))).status).toBe(302);
  });

  it('times out a slow receiver', async () => {
    receiver.respond = () => ({ status: 200, delayMs: 1000 });
    await expect(outbound.send(post(receiver.url, loopbackToo, { timeoutMs: 100 }))).rejects.toBeInstanceOf(OutboundTimeout);
  });
});
