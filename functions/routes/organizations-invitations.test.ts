import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('pending invitations', () => {
  it('lists and revokes pending invitations', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const inv = await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, {
      token: owner.token,
      body: { email: 'someone@example.com', role: 'agent' },
    });
    const pending = await api.call('GET', `/api/v1/organizations/${org.id}/invitations`, { token: owner.token });
    expect(pending.body.data.map((i: { id: string }) => i.id)).toEqual([inv.body.id]);
    expect((await api.call('DELETE', `/api/v1/organizations/${org.id}/invitations/${inv.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await api.call('GET', `/api/v1/organizations/${org.id}/invitations`, { token: owner.token })).body.data).toEqual([]);
  });
});
