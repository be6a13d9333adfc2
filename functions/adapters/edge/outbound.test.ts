import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/webhook-receiver';
import { createFetchOutbound } from './outbound';

/** The Workers adapter uses only `fetch`, so Node runs the same code workerd does. */
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

const post = (url: string, extra: { timeoutMs?: number; maxResponseBytes?: number } = {}) => ({
  url,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', 'versaai-event-id': 'evt_1' },
  body: '{"a":1}',
  timeoutMs: extra.timeoutMs ?? 5000,
  maxResponseBytes: extra.maxResponseBytes ?? 1024,
});

describe('Workers outbound HTTP', () => {
  const strict = createFetchOutbound({ allowPrivate: false });
  const outbound = createFetchOutbound({ allowPrivate: true });

  it('cannot resolve names, and checks the URL, IP literals in every form and every redirect hop', async () => {
    expect(await strict.resolve('hooks.example.com')).toBeNull();
    expect(await strict.check('https://hooks.example.com/')).toBeNull();
    const port = new URL(receiver.url).port;
    for (const url of [receiver.url, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`, `http://[::ffff:7f00:1]:${port}/`, `http://localhost.:${port}/`, 'http://169.254.169.254/']) {
      await expect(strict.send(post(url)), url).rejects.toBeInstanceOf(OutboundRefused);
    }
    // Metadata stays refused with the development setting too.
    await expect(outbound.fetch('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/never allowed/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('posts, keeps the start of the answer, and does not follow redirects', async () => {
    receiver.respond = () => ({ status: 201, body: 'é'.repeat(50) });
    expect(await outbound.send(post(receiver.url, { maxResponseBytes: 10 }))).toEqual({ status: 201, body: 'é'.repeat(5) });
    expect(receiver.requests[0]).toMatchObject({ rawBody: '{"a":1}', headers: { 'versaai-event-id': 'evt_1' } });
    receiver.respond = () => ({ status: 302 });
    expect((await outbound.send(post(receiver.url))).status).toBe(302);
  });

  it('times out a slow receiver', async () => {
    receiver.respond = () => ({ status: 200, delayMs: 1000 });
    await expect(outbound.send(post(receiver.url, { timeoutMs: 100 }))).rejects.toBeInstanceOf(OutboundTimeout);
  });
});
