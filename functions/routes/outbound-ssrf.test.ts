import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, providerKeys } from '../../db/schema';
import { encryptSecret } from '../lib/crypto';
import { parseSse } from '../testing/fake-openai';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';

/**
 * SSRF through DNS, end to end: every request a tenant can aim (URL import, crawl, redirects,
 * provider base URL, webhook) goes through the outbound port, which asks the test's DNS. A
 * public-looking name that resolves to 127.0.0.1 is refused at save time with a clear 422, and
 * when the name is rebound after saving, at request time, before connecting: the internal server
 * on loopback never hears from us.
 */
const dns: Record<string, string[]> = {};
const resolve = async (hostname: string) => {
  const found = dns[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};
const PUBLIC = ['93.184.216.34'];
const LOOPBACK = ['127.0.0.1'];

/** The "internal service": any request it gets is a leak. Its answers look like secrets. */
let internal: Server;
let port: number;
const received: string[] = [];
type Reply = { status: number; headers?: Record<string, string>; body: string };
let reply: (path: string) => Reply = () => ({
  status: 200,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h1>Internal</h1><p>internal-secret-token</p></body></html>',
});

let api: TestApi;

beforeAll(async () => {
  internal = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      const answer = reply(req.url ?? '/');
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
    });
  });
  await new Promise<void>((done) => internal.listen(0, '127.0.0.1', done));
  port = (internal.address() as AddressInfo).port;
  api = await createTestApi({ resolve });
});
afterAll(async () => {
  await api.close();
  internal.closeAllConnections();
  await new Promise<void>((done) => internal.close(() => done()));
});

async function orgAdmin(t: TestApi): Promise<TestUser & { orgId?: string }> {
  const user = await t.signUp();
  const org = await t.createOrg(user);
  return { ...user, orgId: org.id };
}

async function knowledgeBase(t: TestApi, user: TestUser) {
  const kb = await t.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
  return `/api/v1/knowledge-bases/${kb.body.id}`;
}

function expectUrlNotAllowed(res: { status: number; body: any; text: string }, path: string, host: string) {
  expect(res.status, res.text).toBe(422);
  expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ path, code: 'url_not_allowed' }] });
  expect(res.body.error.message).toBe(`${host} resolves to 127.0.0.1, a loopback address. For local development set ALLOW_PRIVATE_URLS=true.`);
}

describe('a public-looking name that resolves to 127.0.0.1', () => {
  it('URL import: refused on save; after a rebinding, refused when fetched; nothing is fetched', async () => {
    const user = await orgAdmin(api);
    const base = await knowledgeBase(api, user);
    const before = received.length;
    dns['docs.attacker.test'] = LOOPBACK;
    const refused = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'url', url: `http://docs.attacker.test:${port}/page` } });
    expectUrlNotAllowed(refused, 'url', 'docs.attacker.test');

    dns['rebind.attacker.test'] = PUBLIC;
    const saved = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'url', url: `http://rebind.attacker.test:${port}/page` } });
    expect(saved.status, saved.text).toBe(202);
    dns['rebind.attacker.test'] = LOOPBACK;
    await api.runtime.idle();
    const doc = await api.call('GET', `${base}/documents/${saved.body.id}`, { token: user.token });
    expect(doc.body).toMatchObject({ status: 'failed', error: expect.stringContaining('rebind.attacker.test resolves to 127.0.0.1, a loopback address') });
    expect(received.length).toBe(before);
    const search = await api.call('POST', `${base}/search`, { token: user.token, body: { query: 'internal-secret-token' } });
    expect(search.text).not.toContain('internal-secret-token');
  });

  it('website crawl (robots.txt, sitemap and pages): refused on save and after a rebinding', async () => {
    const user = await orgAdmin(api);
    const base = await knowledgeBase(api, user);
    const before = received.length;
    dns['site.attacker.test'] = LOOPBACK;
    const refused = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'website', url: `http://site.attacker.test:${port}/` } });
    expectUrlNotAllowed(refused, 'url', 'site.attacker.test');

    dns['crawl.attacker.test'] = PUBLIC;
    const saved = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'website', url: `http://crawl.attacker.test:${port}/`, maxDepth: 1, useSitemap: true } });
    expect(saved.status, saved.text).toBe(202);
    dns['crawl.attacker.test'] = LOOPBACK;
    await api.runtime.idle();
    const pages = await api.call('GET', `${base}/documents?parent_id=${saved.body.id}`, { token: user.token });
    expect(pages.body.data).toHaveLength(1);
    expect(pages.body.data[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('crawl.attacker.test resolves to 127.0.0.1') });
    expect(received.length).toBe(before);
  });

  it('provider base URL: refused on save; after a rebinding the call is refused and the message keeps a short reason', async () => {
    const user = await orgAdmin(api);
    const before = received.length;
    dns['llm.attacker.test'] = LOOPBACK;
    const refused = await api.call('PUT', '/api/v1/provider-keys/compatible', {
      token: user.token,
      body: { apiKey: 'sk-x', baseUrl: `http://llm.attacker.test:${port}/v1`, models: ['m'] },
    });
    expectUrlNotAllowed(refused, 'baseUrl', 'llm.attacker.test');
    for (const baseUrl of ['http://169.254.169.254/v1', 'http://[::ffff:7f00:1]/v1', 'http://0x7f.1/v1', 'http://localhost./v1']) {
      const res = await api.call('PUT', '/api/v1/provider-keys/openai', { token: user.token, body: { apiKey: 'sk-x', baseUrl } });
      expect(res.status, `${baseUrl}: ${res.text}`).toBe(422);
    }

    // A key saved while the name pointed at a public provider. Saving checks the key with that
    // provider, which a machine without a network cannot reach, so the row is written as the
    // route writes it; the attack is what happens after the attacker rebinds the name.
    dns['llm-rebind.attacker.test'] = PUBLIC;
    expect(await api.runtime.services.outbound.check(`http://llm-rebind.attacker.test:${port}/v1`)).toBeNull();
    await api.runtime.services.db.insert(providerKeys).values({
      organizationId: user.orgId!,
      provider: 'compatible',
      apiKeyEncrypted: await encryptSecret('sk-x', api.runtime.config.ENCRYPTION_KEY),
      keyHint: 'sk-x',
      baseUrl: `http://llm-rebind.attacker.test:${port}/v1`,
      models: ['m'],
    });
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'b', model: 'compatible:m', answerOnlyFromKnowledge: false } });
    expect(bot.status, bot.text).toBe(201);
    dns['llm-rebind.attacker.test'] = LOOPBACK;
    const res = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/test`, { token: user.token, body: { message: 'hola' } });
    const done = parseSse(res.raw).find((e) => e.event === 'done')!.data;
    expect(done.message.isFallback).toBe(true);
    const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, done.message.id));
    expect(row.error).toBe(
      'Refused address: llm-rebind.attacker.test resolves to 127.0.0.1, a loopback address. For local development set ALLOW_PRIVATE_URLS=true.',
    );
    expect(received.length).toBe(before);
  });

  it('webhook: refused on save; after a rebinding the delivery is refused before connecting', async () => {
    const user = await orgAdmin(api);
    const before = received.length;
    dns['hooks.attacker.test'] = LOOPBACK;
    const refused = await api.call('POST', '/api/v1/webhooks', { token: user.token, body: { url: `https://hooks.attacker.test:${port}/h`, events: ['message.created'] } });
    expectUrlNotAllowed(refused, 'url', 'hooks.attacker.test');

    dns['hooks-rebind.attacker.test'] = PUBLIC;
    const saved = await api.call('POST', '/api/v1/webhooks', { token: user.token, body: { url: `https://hooks-rebind.attacker.test:${port}/h`, events: ['message.created'] } });
    expect(saved.status, saved.text).toBe(201);
    dns['hooks-rebind.attacker.test'] = LOOPBACK;
    const test = await api.call('POST', `/api/v1/webhooks/${saved.body.id}/test`, { token: user.token });
    expect(test.status, test.text).toBe(200);
    expect(test.body.delivery.attemptLog[0].error).toBe(
      'Refused: hooks-rebind.attacker.test resolves to 127.0.0.1, a loopback address. For local development set ALLOW_PRIVATE_URLS=true.',
    );
    expect(received.length).toBe(before);
  });
});

describe('with ALLOW_PRIVATE_URLS (local development)', () => {
  let dev: TestApi;
  beforeAll(async () => {
    dev = await createTestApi({ resolve, env: { ALLOW_PRIVATE_URLS: 'true' } });
  });
  afterAll(() => dev.close());

  it('a redirect from an allowed page to cloud metadata is refused at that hop', async () => {
    const user = await orgAdmin(dev);
    const base = await knowledgeBase(dev, user);
    dns['docs.partner.test'] = LOOPBACK;
    dns['meta.attacker.test'] = ['169.254.169.254'];
    reply = (path): Reply =>
      path === '/moved'
        ? { status: 302, headers: { location: 'http://meta.attacker.test/latest/meta-data/iam/security-credentials/' }, body: '' }
        : { status: 200, headers: { 'content-type': 'text/html' }, body: '<p>ok</p>' };
    const before = received.length;
    const saved = await dev.call('POST', `${base}/documents`, { token: user.token, body: { type: 'url', url: `http://docs.partner.test:${port}/moved` } });
    expect(saved.status, saved.text).toBe(202);
    await dev.runtime.idle();
    const doc = await dev.call('GET', `${base}/documents/${saved.body.id}`, { token: user.token });
    expect(doc.body).toMatchObject({
      status: 'failed',
      error: 'meta.attacker.test resolves to 169.254.169.254, a cloud metadata address. This is never allowed.',
    });
    expect(received.slice(before)).toEqual(['/moved']);
  });

  it("a provider's error body is never stored: only the status and its class", async () => {
    const user = await orgAdmin(dev);
    dns['llm.partner.test'] = LOOPBACK;
    // The key passes the check on save (the model list answers); the chat call then fails with a body that must not be kept.
    reply = (path) =>
      path.endsWith('/models')
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }) }
        : { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { message: 'internal-secret-token: admin panel at 10.0.0.7' } }) };
    const saved = await dev.call('PUT', '/api/v1/provider-keys/compatible', { token: user.token, body: { apiKey: 'sk-x', baseUrl: `http://llm.partner.test:${port}/v1`, models: ['m'] } });
    expect(saved.status, saved.text).toBe(200);
    const bot = await dev.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'b', model: 'compatible:m', answerOnlyFromKnowledge: false } });
    const res = await dev.call('POST', `/api/v1/chatbots/${bot.body.id}/test`, { token: user.token, body: { message: 'hola' } });
    expect(res.raw).not.toContain('internal-secret-token');
    const done = parseSse(res.raw).find((e) => e.event === 'done')!.data;
    const [row] = await dev.runtime.services.db.select().from(messages).where(eq(messages.id, done.message.id));
    expect(row.error).toBe('The provider answered HTTP 401 (invalid key or no access)');
    expect(received.at(-1)).toBe('/v1/chat/completions');
  });
});
