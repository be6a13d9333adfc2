import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('API keys', () => {
  it('shows the key once, authenticates as the organization, and stops working when revoked', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const created = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'CRM', role: 'agent' } });
    expect(created.status, created.text).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^vsk_/);
    const list = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    expect(list.text).not.toContain(key);
    expect(list.body.data[0]).toMatchObject({ name: 'CRM', role: 'agent', prefix: key.slice(0, 10) });

    const asKey = await api.call('GET', '/api/v1/organizations', { token: key });
    expect(asKey.body.data.map((o: { id: string }) => o.id)).toEqual([org.id]);
    const members = await api.call('GET', `/api/v1/organizations/${org.id}/members`, { token: key });
    expect(members.status).toBe(200);
    // The key's role (agent) applies: it cannot rename the organization or read the audit log.
    expect((await api.call('PUT', `/api/v1/organizations/${org.id}`, { token: key, body: { name: 'x' } })).status).toBe(403);
    // Account routes need a person.
    expect((await api.call('GET', '/api/v1/users/profile', { token: key })).status).toBe(403);

    expect((await api.call('DELETE', `/api/v1/api-keys/${created.body.apiKey.id}`, { token: owner.token })).status).toBe(204);
    const revoked = await api.call('GET', '/api/v1/organizations', { token: key });
    expect(revoked.status).toBe(401);
    const audit = await api.call('GET', '/api/v1/audit-log?action=api_key.created', { token: owner.token });
    expect(audit.body.data).toHaveLength(1);
  });
});

describe('API key scopes, limits and usage', () => {
  it('gives keys all three scopes unless told otherwise, and shows no limit and no use yet', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const created = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'Default' } });
    expect(created.body.apiKey).toMatchObject({ scopes: ['read', 'chat', 'admin'], rateLimitPerMinute: null, requestCount: 0, lastUsedAt: null });
  });

  it('lets a read key GET but not write, and an admin key write; the OpenAI path needs chat', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const read = (await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'Reader', scopes: ['read'] } })).body.key as string;
    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: read })).status).toBe(200);
    const write = await api.call('POST', '/api/v1/knowledge-bases', { token: read, body: { name: 'x' } });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: 'admin' } });
    expect((await api.call('GET', '/api/v1/openai/models', { token: read })).status).toBe(403);

    const admin = (await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'Writer', scopes: ['admin'] } })).body.key as string;
    expect((await api.call('POST', '/api/v1/knowledge-bases', { token: admin, body: { name: 'Ayuda' } })).status).toBe(201);
    // Reading is its own scope: an admin-only key does not read.
    expect((await api.call('GET', `/api/v1/organizations/${org.id}`, { token: admin })).status).toBe(403);
  });

  it('edits a key\u2019s name, scopes and limit (admin only, audited), and enforces the limit with Retry-After', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const created = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'CRM', scopes: ['read', 'chat'], rateLimitPerMinute: 100 } });
    expect(created.body.apiKey).toMatchObject({ scopes: ['read', 'chat'], rateLimitPerMinute: 100 });
    const id = created.body.apiKey.id as string;
    const key = created.body.key as string;

    const agent = await api.addMember(owner, org.id, 'agent');
    expect((await api.call('PATCH', `/api/v1/api-keys/${id}`, { token: agent.token, body: { rateLimitPerMinute: 1 } })).status).toBe(403);
    const bad = await api.call('PATCH', `/api/v1/api-keys/${id}`, { token: owner.token, body: { scopes: [] } });
    expect(bad.status).toBe(422);
    const changed = await api.call('PATCH', `/api/v1/api-keys/${id}`, { token: owner.token, body: { name: 'CRM sync', rateLimitPerMinute: 2, scopes: ['read'] } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ name: 'CRM sync', rateLimitPerMinute: 2, scopes: ['read'] });

    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: key })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: key })).status).toBe(200);
    const limited = await api.call('GET', '/api/v1/knowledge-bases', { token: key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    await api.runtime.idle();
    const listed = (await api.call('GET', '/api/v1/api-keys', { token: owner.token })).body.data.find((k: { id: string }) => k.id === id);
    // The refused request is not counted: only requests the key was let through.
    expect(listed.requestCount).toBe(2);
    expect(listed.lastUsedAt).not.toBeNull();

    const lifted = await api.call('PATCH', `/api/v1/api-keys/${id}`, { token: owner.token, body: { rateLimitPerMinute: null } });
    expect(lifted.body.rateLimitPerMinute).toBeNull();
    const audit = await api.call('GET', '/api/v1/audit-log?action=api_key.updated', { token: owner.token });
    expect(audit.body.data[0].metadata).toMatchObject({ rateLimitPerMinute: null });
  });

  it('applies a key\u2019s new scopes from the very next request, though it was just used', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const created = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'Sync', scopes: ['read'] } });
    const key = created.body.key as string;
    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: key })).status).toBe(200);
    await api.call('PATCH', `/api/v1/api-keys/${created.body.apiKey.id}`, { token: owner.token, body: { scopes: ['chat'] } });
    const refused = await api.call('GET', '/api/v1/knowledge-bases', { token: key });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'insufficient_scope' });
  });

  it('never edits another organization\u2019s key', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const id = (await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'Mine' } })).body.apiKey.id as string;
    const stranger = await api.signUp();
    await api.createOrg(stranger);
    const attempt = await api.call('PATCH', `/api/v1/api-keys/${id}`, { token: stranger.token, body: { scopes: ['read'] } });
    expect(attempt.status).toBe(404);
    const mine = (await api.call('GET', '/api/v1/api-keys', { token: owner.token })).body.data[0];
    expect(mine.scopes).toEqual(['read', 'chat', 'admin']);
  });
});
