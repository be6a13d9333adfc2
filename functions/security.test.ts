/**
 * The shared security suite: every protected route in the OpenAPI document is called with no
 * token, a bad token, an expired token, another organization's ids, and (for org-scoped writes)
 * too low a role. None of them may answer with data.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, type TestUser } from './testing/harness';

interface Operation {
  method: string;
  path: string;
  orgScoped: boolean;
  write: boolean;
  hasBody: boolean;
  multipart: boolean;
}

let api: TestApi;
let operations: Operation[];
let victim: TestUser;
let attacker: TestUser;
let viewer: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await createTestApi();
  const doc = (await api.call('GET', '/api/openapi.json')).body;
  operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => Array.isArray(op.security) && op.security.length > 0)
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        orgScoped:
          path.includes('{org_id}') ||
          (op.parameters ?? []).some((p: { name: string; in: string }) => p.in === 'header' && p.name === 'x-organization-id'),
        // POSTs that only read (the search tester) carry `x-read-only` in the document.
        write: method !== 'get' && !op['x-read-only'],
        hasBody: Boolean(op.requestBody),
        multipart: Boolean(op.requestBody?.content?.['multipart/form-data']),
      })),
  );

  victim = await api.signUp({ name: 'Victim' });
  const org = await api.createOrg(victim, 'Victim Co');
  ids.org_id = org.id;
  ids.user_id = victim.id;
  viewer = await api.addMember(victim, org.id, 'viewer');
  const invitation = await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, {
    token: victim.token,
    body: { email: 'pending@example.com', role: 'agent' },
  });
  ids.invitation_id = invitation.body.id;
  const key = await api.call('POST', '/api/v1/api-keys', { token: victim.token, orgId: org.id, body: { name: 'victim key' } });
  ids.key_id = key.body.apiKey.id;
  ids.session_id = (await api.call('GET', '/api/v1/auth/sessions', { token: victim.token })).body.data[0].id;
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: victim.token, orgId: org.id, body: { name: 'Victim KB' } });
  ids.kb_id = kb.body.id;
  const secret = await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: victim.token,
    orgId: org.id,
    body: { type: 'text', name: 'Secret notes', text: 'The victim secret launch code is tangerine-42.' },
  });
  ids.doc_id = secret.body.id;
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', { token: victim.token, orgId: org.id, body: { name: 'Victim bot', knowledgeBaseIds: [kb.body.id] } });
  ids.chatbot_id = bot.body.id;
  const hours = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/schedules`, { token: victim.token, orgId: org.id, body: { weekday: 1, opensAt: '09:00', closesAt: '18:00' } });
  ids.schedule_id = hours.body.id;
  const toolboxEntry = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/models`, { token: victim.token, orgId: org.id, body: { provider: 'openai', model_id: 'gpt-4o', task_type: 'complex' } });
  ids.model_entry_id = toolboxEntry.body.id;
  await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: victim.token, orgId: org.id });
  const visitor = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
  await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: { authorization: `Bearer ${visitor.body.sessionToken}` }, body: { message: 'launch code?' } });
  ids.conversation_id = visitor.body.conversationId;

  attacker = await api.signUp({ name: 'Attacker' });
  await api.createOrg(attacker, 'Attacker Co');
});
afterAll(() => api.close());

function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? crypto.randomUUID());
}

/** A body that passes validation where it matters, so the check under test is the auth one. */
function bodyFor(op: Operation): unknown {
  if (!op.hasBody) return undefined;
  return { name: 'x', email: 'x@example.com', role: 'agent', code: '123456', password: 'p', token: 'x'.repeat(20), type: 'text', text: 'x', query: 'x', message: 'hola', weekday: 1, opensAt: '10:00', closesAt: '11:00' };
}

/** Calls an operation the way a client would: JSON, or a multipart file for upload routes. */
function send(op: Operation, options: { token?: string; orgId?: string } = {}) {
  if (op.multipart) {
    return api.upload(fill(op.path), { name: 'notes.txt', bytes: new TextEncoder().encode('hello') }, options);
  }
  return api.call(op.method, fill(op.path), { ...options, body: bodyFor(op) });
}

/** The route as the OpenAPI document names it (method and path template), then what it answered. */
function failureOf(op: Operation, res: { text: string }, context = ''): string {
  return `${op.method} ${op.path}${context ? ` (${context})` : ''}: ${res.text}`;
}

function expectNoData(op: Operation, res: { status: number; text: string }, allowed: number[], context = '') {
  expect(allowed, failureOf(op, res, context)).toContain(res.status);
}

function expectErrorCode(op: Operation, res: { body: any; text: string }, code: string) {
  // The OpenAI-compatible paths take only API keys and answer in OpenAI's words for any bad one.
  const expected = op.path.startsWith('/api/v1/openai/') && res.body?.error?.type ? 'invalid_api_key' : code;
  expect(res.body?.error?.code, failureOf(op, res)).toBe(expected);
}

describe('security suite over every protected route', () => {
  it('covers the routes it should (sanity check of the route list)', () => {
    const paths = operations.map((o) => `${o.method} ${o.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /api/v1/organizations',
        'PUT /api/v1/organizations/{org_id}',
        'DELETE /api/v1/organizations/{org_id}/members/{user_id}',
        'POST /api/v1/api-keys',
        'GET /api/v1/audit-log',
        'POST /api/v1/auth/2fa/setup',
        'GET /api/v1/users/profile',
      ]),
    );
    expect(operations.length).toBeGreaterThan(20);
  });

  it('no token -> 401 unauthorized', async () => {
    for (const op of operations) {
      const res = await send(op);
      expectNoData(op, res, [401]);
      expectErrorCode(op, res, 'unauthorized');
    }
  });

  it('a forged or malformed token -> 401', async () => {
    const forged = await new SignJWT({ sid: crypto.randomUUID(), typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(victim.id)
      .setIssuer('versaai')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('not-the-server-secret-not-the-server-secret'));
    const tokens = { forged, garbage: 'garbage', 'unknown API key': 'vsk_not-a-real-key' };
    for (const op of operations) {
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await send(op, { token });
        expectNoData(op, res, [401], `${kind} token`);
      }
    }
  });

  it('an expired token -> 401 token_expired', async () => {
    const expired = await new SignJWT({ sid: ids.session_id, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(victim.id)
      .setIssuer('versaai')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(api.runtime.config.JWT_SECRET));
    for (const op of operations) {
      const res = await send(op, { token: expired });
      expectNoData(op, res, [401]);
      expectErrorCode(op, res, 'token_expired');
    }
  });

  it("another organization's ids -> 404, never data", async () => {
    for (const op of operations.filter((o) => o.orgScoped)) {
      const res = await send(op, { token: attacker.token, orgId: ids.org_id });
      expectNoData(op, res, [404]);
    }
    // Resource ids of the victim's organization, used from the attacker's own organization.
    const own = await api.call('DELETE', `/api/v1/api-keys/${ids.key_id}`, { token: attacker.token });
    expect(own.status, own.text).toBe(404);
    const session = await api.call('DELETE', `/api/v1/auth/sessions/${ids.session_id}`, { token: attacker.token });
    expect(session.status, session.text).toBe(404);
    // The attacker's own knowledge base never returns the victim's chunks.
    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: attacker.token, body: { name: 'Mine' } });
    await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: attacker.token, body: { type: 'text', name: 'n', text: 'launch codes are fun' } });
    await api.runtime.queue.drain();
    const search = await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/search`, { token: attacker.token, body: { query: 'victim secret launch code tangerine' } });
    expect(search.status, search.text).toBe(200);
    expect(search.text).not.toContain('tangerine');
    const foreignConversation = await api.call('GET', `/api/v1/conversations/${ids.conversation_id}`, { token: attacker.token });
    expect(foreignConversation.status, foreignConversation.text).toBe(404);
    const foreignBot = await api.call('GET', `/api/v1/chatbots/${ids.chatbot_id}/conversations`, { token: attacker.token });
    expect(foreignBot.status, foreignBot.text).toBe(404);
    const foreignDocInOwnKb = await api.call('GET', `/api/v1/knowledge-bases/${kb.body.id}/documents/${ids.doc_id}`, { token: attacker.token });
    expect(foreignDocInOwnKb.status, foreignDocInOwnKb.text).toBe(404);
  });

  it('too low a role -> 403 on every org-scoped write', async () => {
    const writes = operations.filter((o) => o.orgScoped && o.write);
    expect(writes.length).toBeGreaterThan(5);
    for (const op of writes) {
      const res = await send(op, { token: viewer.token, orgId: ids.org_id });
      expectNoData(op, res, [403]);
      expectErrorCode(op, res, 'insufficient_role');
    }
    // The victim's data is intact after all that.
    const members = await api.call('GET', `/api/v1/organizations/${ids.org_id}/members`, { token: victim.token });
    expect(members.body.data).toHaveLength(2);
    const keys = await api.call('GET', '/api/v1/api-keys', { token: victim.token, orgId: ids.org_id });
    expect(keys.body.data).toHaveLength(1);
    const docs = await api.call('GET', `/api/v1/knowledge-bases/${ids.kb_id}/documents`, { token: victim.token, orgId: ids.org_id });
    expect(docs.body.data.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([[ids.doc_id, 'ready']]);
  });
});
