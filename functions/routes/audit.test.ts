import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('audit log', () => {
  it('paginates the audit log with a cursor', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    for (let i = 0; i < 5; i++) await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: `k${i}` } });
    const first = await api.call('GET', '/api/v1/audit-log?limit=3', { token: owner.token });
    expect(first.body.data).toHaveLength(3);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await api.call('GET', `/api/v1/audit-log?limit=3&cursor=${first.body.nextCursor}`, { token: owner.token });
    const ids = [...first.body.data, ...second.body.data].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await api.call('GET', '/api/v1/audit-log?cursor=garbage', { token: owner.token })).status).toBe(400);
  });
});
