import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { webhookDeliveries, webhooks } from '../../db/schema';
import { encryptSecret } from '../lib/crypto';
import { parseSse } from '../testing/fake-openai';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhook-receiver';

/**
 * Outgoing webhooks end to end: real app, real HTTP to receivers on loopback (the test runtime
 * allows loopback), retries with the back-off shrunk to zero.
 */
let api: TestApi;
type Verify = (rawBody: string, header: string | undefined, secret: string, toleranceSeconds?: number) => boolean;
let verifyFromReadme: Verify;

beforeAll(async () => {
  api = await createTestApi({
    env: { WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOK_RETRY_BASE_SECONDS: '0', WEBHOOK_DISABLE_AFTER_FAILURES: '2' },
  });
  verifyFromReadme = await loadReadmeSnippet();
});
afterAll(() => api.close());

/** The verification code exactly as README.md documents it, run as a module. */
async function loadReadmeSnippet(): Promise<Verify> {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Outgoing webhooks'));
  const snippet = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!snippet) throw new Error('README.md has no webhook verification snippet');
  const file = join(mkdtempSync(join(tmpdir(), 'versaai-snippet-')), 'verify.mjs');
  writeFileSync(file, snippet);
  return (await import(pathToFileURL(file).href)).verifyVersaAISignature as Verify;
}

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  onTestFinished(() => r.close());
  return r;
}

async function adminWithOrg() {
  const user = await api.signUp();
  const org = await api.createOrg(user);
  return { user, org };
}

async function addWebhook(user: TestUser, body: Record<string, unknown>) {
  const res = await api.call('POST', '/api/v1/webhooks', { token: user.token, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string; url: string; isActive: boolean };
}

/** A real `document.ready` event: a text document through the ingestion jobs. */
async function documentReady(user: TestUser, name = 'Horario') {
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
  const doc = await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: user.token,
    body: { type: 'text', name, text: 'La tienda abre de lunes a sábado de 10:00 a 20:00.' },
  });
  expect(doc.status, doc.text).toBe(202);
  await api.runtime.idle();
  return doc.body as { id: string };
}

async function deliveries(user: TestUser, webhookId: string, query = '') {
  const res = await api.call('GET', `/api/v1/webhooks/${webhookId}/deliveries${query}`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.body as { data: any[]; nextCursor: string | null };
}

describe('outgoing webhooks', () => {
  it('an admin adds a webhook; its secret is shown once; events arrive signed as the README says', async () => {
    const hook = await receiver();
    const { user, org } = await adminWithOrg();
    const created = await addWebhook(user, { name: 'CRM', url: hook.url, events: ['document.ready', 'document.failed'] });
    expect(created.secret).toMatch(/^whsec_[\w-]{32}$/);
    const list = await api.call('GET', '/api/v1/webhooks', { token: user.token });
    expect(list.body.data).toMatchObject([{ id: created.id, name: 'CRM', url: hook.url, events: ['document.ready', 'document.failed'], isActive: true }]);
    expect(list.text).not.toContain(created.secret);
    expect((await api.call('GET', `/api/v1/webhooks/${created.id}`, { token: user.token })).text).not.toContain(created.secret);

    const doc = await documentReady(user);
    const [request] = await hook.waitFor(1);
    expect(request.body).toMatchObject({ type: 'document.ready', organizationId: org.id, data: { documentId: doc.id, document: { status: 'ready', name: 'Horario' } } });
    expect(request.body.id).toMatch(/^evt_/);
    expect(request.headers['versaai-event-id']).toBe(request.body.id);
    expect(request.headers['versaai-event-type']).toBe('document.ready');
    expect(request.headers['versaai-delivery-attempt']).toBe('1');
    expect(request.headers['content-type']).toBe('application/json');
    const signature = request.headers['versaai-signature'] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyFromReadme(request.rawBody, signature, created.secret)).toBe(true);
    // The snippet refuses a wrong secret, a changed body and a replay from long ago.
    expect(verifyFromReadme(request.rawBody, signature, `${created.secret}x`)).toBe(false);
    expect(verifyFromReadme(request.rawBody.replace('Horario', 'Horarix'), signature, created.secret)).toBe(false);
    expect(verifyFromReadme(request.rawBody, signature, created.secret, -1)).toBe(false);

    const log = await deliveries(user, created.id);
    expect(log.data).toMatchObject([
      { eventId: request.body.id, event: 'document.ready', status: 'succeeded', attempts: 1, responseStatus: 200, attemptLog: [{ attempt: 1, responseStatus: 200, responseExcerpt: 'ok', error: null }] },
    ]);
    expect(hook.requests).toHaveLength(1);
  });

  it('a receiver that fails 3 times then succeeds gets the same event 4 times; the log shows 4 attempts', async () => {
    const hook = await receiver();
    hook.respond = (_req, i) => (i < 3 ? { status: 500, body: `boom ${i + 1}` } : { status: 204 });
    const { user } = await adminWithOrg();
    const created = await addWebhook(user, { url: hook.url, events: ['document.ready'] });
    await documentReady(user);
    await hook.waitFor(4);
    expect(hook.requests).toHaveLength(4);
    expect(new Set(hook.requests.map((r) => r.body.id)).size).toBe(1);
    expect(hook.requests.map((r) => r.headers['versaai-delivery-attempt'])).toEqual(['1', '2', '3', '4']);
    for (const r of hook.requests) expect(verifyFromReadme(r.rawBody, r.headers['versaai-signature'] as string, created.secret)).toBe(true);

    const [delivery] = (await deliveries(user, created.id)).data;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 4, responseStatus: 204, lastError: null, nextAttemptAt: null });
    expect(delivery.attemptLog.map((a: { attempt: number; responseStatus: number; responseExcerpt: string | null }) => [a.attempt, a.responseStatus, a.responseExcerpt])).toEqual([
      [1, 500, 'boom 1'],
      [2, 500, 'boom 2'],
      [3, 500, 'boom 3'],
      [4, 204, null],
    ]);
    expect(delivery.attemptLog.filter((a: { responseStatus: number }) => a.responseStatus < 300)).toHaveLength(1);
    // A redelivered job for an attempt already made does nothing (the raw runner: a redelivery skips deduplication).
    const replay = await api.runtime.queue.enqueue('deliver-webhook', { deliveryId: delivery.id, organizationId: (await adminOrgOf(user)).id, attempt: 2 });
    expect(replay.messageId).toBeTruthy();
    await api.runtime.idle();
    expect(hook.requests).toHaveLength(4);
  });

  it('gives up at once on answers a retry cannot fix, disables the endpoint after failing in a row, mails the admins; re-enable and resend', async () => {
    const hook = await receiver();
    hook.respond = () => ({ status: 404, body: 'no such hook' });
    const { user } = await adminWithOrg();
    const created = await addWebhook(user, { name: 'Flaky', url: hook.url, events: ['document.ready'] });
    await documentReady(user, 'Uno');
    expect(hook.requests).toHaveLength(1);
    let webhook = (await api.call('GET', `/api/v1/webhooks/${created.id}`, { token: user.token })).body;
    expect(webhook).toMatchObject({ isActive: true, failureCount: 1 });

    await documentReady(user, 'Dos');
    expect(hook.requests).toHaveLength(2);
    webhook = (await api.call('GET', `/api/v1/webhooks/${created.id}`, { token: user.token })).body;
    expect(webhook).toMatchObject({ isActive: false, failureCount: 2 });
    expect(webhook.disabledAt).toBeTruthy();
    expect(webhook.disabledReason).toContain('HTTP 404');
    const mails = await api.outboxFor(user.email);
    expect(mails.find((m) => m.subject === 'Webhook desactivado: Flaky')?.text).toContain(`/settings/webhooks/${created.id}`);

    // Disabled: new events are not delivered.
    await documentReady(user, 'Tres');
    expect(hook.requests).toHaveLength(2);

    hook.respond = () => ({ status: 200, body: 'thanks' });
    const enabled = await api.call('PUT', `/api/v1/webhooks/${created.id}`, { token: user.token, body: { isActive: true } });
    expect(enabled.body).toMatchObject({ isActive: true, failureCount: 0, disabledAt: null, disabledReason: null });
    const failed = await deliveries(user, created.id, '?status=failed');
    expect(failed.data).toHaveLength(2);
    const resent = await api.call('POST', `/api/v1/webhooks/${created.id}/deliveries/${failed.data[0].id}/resend`, { token: user.token });
    expect(resent.status, resent.text).toBe(200);
    expect(resent.body).toMatchObject({ ok: true, delivery: { status: 'succeeded', attempts: 2 } });
    expect(resent.body.delivery.attemptLog.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([404, 200]);
    expect(hook.requests[2].body.id).toBe(failed.data[0].eventId);
  });

  it('the test action sends a signed webhook.test through the same path and answers with the attempt', async () => {
    const hook = await receiver();
    hook.respond = () => ({ status: 503, body: 'down for maintenance' });
    const { user } = await adminWithOrg();
    const created = await addWebhook(user, { url: hook.url, events: ['message.created'] });
    const failed = await api.call('POST', `/api/v1/webhooks/${created.id}/test`, { token: user.token });
    expect(failed.status, failed.text).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, delivery: { event: 'webhook.test', status: 'failed', attempts: 1, responseStatus: 503, lastError: 'The receiver answered HTTP 503' } });
    expect(failed.body.delivery.attemptLog).toMatchObject([{ attempt: 1, responseStatus: 503, responseExcerpt: 'down for maintenance', error: null }]);
    // The body keeps its documented key order, though it is stored as jsonb.
    expect(Object.keys(JSON.parse(hook.requests[0].rawBody))).toEqual(['id', 'type', 'createdAt', 'organizationId', 'data']);
    // A test is one attempt: not retried, not counted against the endpoint.
    await api.runtime.idle();
    expect(hook.requests).toHaveLength(1);
    expect((await api.call('GET', `/api/v1/webhooks/${created.id}`, { token: user.token })).body.failureCount).toBe(0);

    hook.respond = () => ({ status: 200 });
    const ok = await api.call('POST', `/api/v1/webhooks/${created.id}/test`, { token: user.token });
    expect(ok.body).toMatchObject({ ok: true, delivery: { event: 'webhook.test', status: 'succeeded' } });
    expect(verifyFromReadme(hook.requests[1].rawBody, hook.requests[1].headers['versaai-signature'] as string, created.secret)).toBe(true);
    expect(hook.requests[1].body).toMatchObject({ type: 'webhook.test', data: { webhookId: created.id } });
  });

  it('a job redelivered after its attempt was logged queues the next attempt instead of losing it', async () => {
    const hook = await receiver();
    const { user, org } = await adminWithOrg();
    const created = await addWebhook(user, { url: hook.url, events: ['message.created'] });
    const { delivery } = (await api.call('POST', `/api/v1/webhooks/${created.id}/test`, { token: user.token })).body;
    // As if attempt 1 had failed and the job died before queueing attempt 2.
    await api.runtime.services.db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: new Date() })
      .where(eq(webhookDeliveries.id, delivery.id));
    await api.runtime.queue.enqueue('deliver-webhook', { deliveryId: delivery.id, organizationId: org.id, attempt: 1 });
    await api.runtime.idle();
    expect(hook.requests.map((r) => r.headers['versaai-delivery-attempt'])).toEqual(['1', '2']);
    const [row] = (await deliveries(user, created.id)).data;
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('rotating the secret signs the next delivery with the new one only', async () => {
    const hook = await receiver();
    const { user } = await adminWithOrg();
    const created = await addWebhook(user, { url: hook.url, events: ['document.ready'] });
    const rotated = await api.call('POST', `/api/v1/webhooks/${created.id}/rotate-secret`, { token: user.token });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    await api.call('POST', `/api/v1/webhooks/${created.id}/test`, { token: user.token });
    const [request] = await hook.waitFor(1);
    const signature = request.headers['versaai-signature'] as string;
    expect(verifyFromReadme(request.rawBody, signature, rotated.body.secret)).toBe(true);
    expect(verifyFromReadme(request.rawBody, signature, created.secret)).toBe(false);
  });

  it('a slow receiver does not slow the chat', async () => {
    const hook = await receiver();
    // The receiver answers no delivery until both chat turns are done: a chat that waited for its
    // webhooks would never finish (no timing involved).
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    onTestFinished(() => release());
    hook.respond = () => ({ status: 200, holdUntil: held });
    const { user } = await adminWithOrg();
    await addWebhook(user, { url: hook.url, events: ['conversation.created', 'message.created'] });
    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
    await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
      token: user.token,
      body: { type: 'text', name: 'Horario', text: 'La tienda abre de lunes a sábado de 10:00 a 20:00.' },
    });
    await api.runtime.idle();
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', knowledgeBaseIds: [kb.body.id] } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
    const session = (await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} })).body;

    // The job runner delivers in the background, as in production, while the visitor chats.
    await api.runtime.queue.start();
    onTestFinished(() => api.runtime.queue.stop());
    const chat = async (message: string) => {
      const res = await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { message } });
      expect(res.status, res.text).toBe(200);
      expect(parseSse(res.raw).find((e) => e.event === 'done')).toBeTruthy();
    };
    await chat('¿A qué hora abre la tienda?');
    // The first turn's deliveries are now held by the receiver, unanswered.
    await hook.waitFor(1);
    await chat('¿Y los sábados?');
    // Both turns answered while no delivery had finished an attempt (answered, failed or timed out):
    // a chat that waited for its webhooks could not have returned yet.
    const organizationId = (await api.call('GET', '/api/v1/organizations', { token: user.token })).body.data[0].id;
    const finished = (await api.runtime.services.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.organizationId, organizationId))).filter(
      (d) => d.attempts > 0,
    );
    expect(finished).toEqual([]);
    release();

    // Every event of both turns still arrives: the conversation and four messages.
    const received = await hook.waitFor(5, 20_000);
    expect(received.map((r) => r.body.type).sort()).toEqual(['conversation.created', 'message.created', 'message.created', 'message.created', 'message.created']);
  }, 30_000);

  it('events and endpoints never cross organizations', async () => {
    const hookA = await receiver();
    const hookB = await receiver();
    const a = await adminWithOrg();
    const b = await adminWithOrg();
    const webhookA = await addWebhook(a.user, { url: hookA.url, events: ['document.ready'] });
    await addWebhook(b.user, { url: hookB.url, events: ['document.ready'] });
    await documentReady(a.user);
    await hookA.waitFor(1);
    expect(hookB.requests).toHaveLength(0);
    const [deliveryA] = (await deliveries(a.user, webhookA.id)).data;

    const asB = (method: string, path: string, body?: unknown) => api.call(method, path, { token: b.user.token, body });
    for (const [method, path, body] of [
      ['GET', `/api/v1/webhooks/${webhookA.id}`],
      ['PUT', `/api/v1/webhooks/${webhookA.id}`, { isActive: false }],
      ['POST', `/api/v1/webhooks/${webhookA.id}/test`],
      ['POST', `/api/v1/webhooks/${webhookA.id}/rotate-secret`],
      ['GET', `/api/v1/webhooks/${webhookA.id}/deliveries`],
      ['POST', `/api/v1/webhooks/${webhookA.id}/deliveries/${deliveryA.id}/resend`],
      ['DELETE', `/api/v1/webhooks/${webhookA.id}`],
    ] as const) {
      const res = await asB(method, path, body);
      expect(res.status, res.text).toBe(404);
    }
    // B's own webhook id with A's delivery id is no way in either.
    const own = (await api.call('GET', '/api/v1/webhooks', { token: b.user.token })).body.data[0];
    const crossed = await asB('POST', `/api/v1/webhooks/${own.id}/deliveries/${deliveryA.id}/resend`);
    expect(crossed.status, crossed.text).toBe(404);
    expect((await api.call('GET', '/api/v1/webhooks', { token: b.user.token })).body.data).toHaveLength(1);
    expect(hookA.requests).toHaveLength(1);
    expect(hookB.requests).toHaveLength(0);
    // Another organization's admin from the header: 404 too.
    const viaHeader = await api.call('GET', '/api/v1/webhooks', { token: b.user.token, orgId: a.org.id });
    expect(viaHeader.status).toBe(404);
  });

  it('is for admins only, reads included; input is validated', async () => {
    const { user, org } = await adminWithOrg();
    const agent = await api.addMember(user, org.id, 'agent');
    const asAgent = await api.call('GET', '/api/v1/webhooks', { token: agent.token, orgId: org.id });
    expect(asAgent.status, asAgent.text).toBe(403);
    for (const body of [
      { url: 'https://hooks.example.com/x', events: [] },
      { url: 'https://hooks.example.com/x', events: ['message.deleted'] },
      { url: 'not a url', events: ['message.created'] },
      { url: 'ftp://hooks.example.com/x', events: ['message.created'] },
      { events: ['message.created'] },
    ]) {
      const res = await api.call('POST', '/api/v1/webhooks', { token: user.token, body });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});

describe('webhook URLs in production mode (no loopback allowance)', () => {
  let prod: TestApi;
  beforeAll(async () => {
    prod = await createTestApi({ env: { WEBHOOK_RETRY_BASE_SECONDS: '0' } });
  });
  afterAll(() => prod.close());

  it('refuses private, loopback, link-local, internal and plain-http URLs when saving', async () => {
    const user = await prod.signUp();
    await prod.createOrg(user);
    for (const url of [
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://localhost/hook',
      'https://[::1]/hook',
      'https://127.0.0.1:8443/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
      'https://192.168.1.10/hook',
      'https://0.0.0.0/hook',
      'https://metadata/computeMetadata/v1/',
      'https://api.internal/hook',
      'http://93.184.216.34/hook',
      'https://user:pass@93.184.216.34/hook',
    ]) {
      const res = await prod.call('POST', '/api/v1/webhooks', { token: user.token, body: { url, events: ['message.created'] } });
      expect(res.status, `${url}: ${res.text}`).toBe(422);
      expect(res.body.error.details[0].path).toBe('url');
    }
    const publicIp = await prod.call('POST', '/api/v1/webhooks', { token: user.token, body: { url: 'https://93.184.216.34/hook', events: ['message.created'] } });
    expect(publicIp.status, publicIp.text).toBe(201);
    // Changing the URL is checked the same way.
    const moved = await prod.call('PUT', `/api/v1/webhooks/${publicIp.body.id}`, { token: user.token, body: { url: 'https://169.254.169.254/' } });
    expect(moved.status, moved.text).toBe(422);
  });

  it('refuses them again when sending, for endpoints stored before (or whose address changed)', async () => {
    const hook = await startWebhookReceiver();
    onTestFinished(() => hook.close());
    const user = await prod.signUp();
    const org = await prod.createOrg(user);
    // Stored behind the API's back, as an endpoint saved under an older rule would be.
    const [row] = await prod.runtime.services.db
      .insert(webhooks)
      .values({
        organizationId: org.id,
        name: 'Loopback',
        url: hook.url,
        events: ['document.ready'],
        secretEncrypted: await encryptSecret('whsec_test', prod.runtime.config.ENCRYPTION_KEY),
      })
      .returning();
    const test = await prod.call('POST', `/api/v1/webhooks/${row.id}/test`, { token: user.token });
    expect(test.status, test.text).toBe(200);
    expect(test.body).toMatchObject({ ok: false, delivery: { status: 'failed', attemptLog: [{ responseStatus: null }] } });
    expect(test.body.delivery.attemptLog[0].error).toMatch(/^Refused: /);

    const kb = await prod.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'KB' } });
    await prod.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: user.token, body: { type: 'text', name: 'n', text: 'hola' } });
    await prod.runtime.idle();
    const stored = await prod.runtime.services.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, row.id));
    const automatic = stored.find((d) => d.event === 'document.ready');
    // Refused is final: one attempt, no retries.
    expect(automatic).toMatchObject({ status: 'failed', attempts: 1 });
    expect(automatic?.lastError).toMatch(/^Refused: /);
    expect(hook.requests).toHaveLength(0);
  });
});

async function adminOrgOf(user: TestUser) {
  const res = await api.call('GET', '/api/v1/organizations', { token: user.token });
  return res.body.data[0] as { id: string };
}

describe('daily sweep', () => {
  it('re-queues a delivery whose next attempt never came, once', async () => {
    const { user, org } = await adminWithOrg();
    const r = await receiver();
    const hook = await addWebhook(user, { name: 'CRM', url: r.url, events: ['document.ready'] });
    // A delivery left pending with its attempt long overdue, as if the queue had lost the job.
    const [stuck] = await api.runtime.services.db
      .insert(webhookDeliveries)
      .values({
        organizationId: org.id,
        webhookId: hook.id,
        eventId: 'evt_lost',
        event: 'document.ready',
        payload: { id: 'evt_lost', type: 'document.ready', createdAt: new Date().toISOString(), organizationId: org.id, data: { documentId: 'x' } },
        nextAttemptAt: new Date(Date.now() - 2 * 3600_000),
      })
      .returning();
    await api.runtime.queue.enqueue('sweep-webhook-deliveries', {});
    await api.runtime.queue.drain();
    const [delivered] = await r.waitFor(1);
    expect(delivered!.body.id).toBe('evt_lost');
    const [row] = await api.runtime.services.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, stuck!.id));
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    // A second sweep finds nothing left to do.
    await api.runtime.queue.enqueue('sweep-webhook-deliveries', {});
    await api.runtime.queue.drain();
    expect(r.requests).toHaveLength(1);
  });
});
