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
