import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhook-receiver';

/** The delivery log (/api/v1/webhooks/{id}/deliveries), against receivers on loopback. */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi({ env: { WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOK_RETRY_BASE_SECONDS: '0' } });
});
afterAll(() => api.close());

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  onTestFinished(() => r.close());
  return r;
}

async function adminWithOrg() {
  const user = await api.signUp();
  await api.createOrg(user);
  return { user };
}

async function addWebhook(user: TestUser, body: Record<string, unknown>) {
  const res = await api.call('POST', '/api/v1/webhooks', { token: user.token, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string };
}

async function deliveries(user: TestUser, webhookId: string, query = '') {
  const res = await api.call('GET', `/api/v1/webhooks/${webhookId}/deliveries${query}`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.body as { data: any[]; nextCursor: string | null };
}

describe('webhook delivery log', () => {
  it('deliveries are paginated newest first', async () => {
    const hook = await receiver();
    const { user } = await adminWithOrg();
    const created = await addWebhook(user, { url: hook.url, events: ['message.created'] });
    for (let i = 0; i < 3; i++) await api.call('POST', `/api/v1/webhooks/${created.id}/test`, { token: user.token });
    const first = await deliveries(user, created.id, '?limit=2');
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await deliveries(user, created.id, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data].map((d) => d.eventId);
    expect(ids).toEqual([...hook.requests].reverse().map((r) => r.body.id));
  });
});
