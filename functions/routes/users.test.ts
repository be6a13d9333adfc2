import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('profile and account', () => {
  it('updates the profile and changes the password', async () => {
    const user = await api.signUp();
    const put = await api.call('PUT', '/api/v1/users/profile', { token: user.token, body: { name: 'Renamed', locale: 'en' } });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ name: 'Renamed', locale: 'en', organizations: [] });
    const wrong = await api.call('POST', '/api/v1/users/change-password', {
      token: user.token,
      body: { currentPassword: 'nope-nope-nope', newPassword: 'new-password-123' },
    });
    expect(wrong.status).toBe(401);
    const ok = await api.call('POST', '/api/v1/users/change-password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'new-password-123' },
    });
    expect(ok.status, ok.text).toBe(204);
  });

  it('deletes the account with its solo organizations, and its tokens stop working', async () => {
    const user = await api.signUp();
    const org = await api.createOrg(user, 'Solo');
    const res = await api.call('DELETE', '/api/v1/users/account', { token: user.token, body: { password: user.password } });
    expect(res.status, res.text).toBe(204);
    expect((await api.call('GET', '/api/v1/users/profile', { token: user.token })).status).toBe(401);
    const other = await api.signUp();
    expect((await api.call('GET', `/api/v1/organizations/${org.id}`, { token: other.token })).status).toBe(404);
  });

  it('refuses to delete the only owner of a shared organization', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    await api.addMember(owner, org.id, 'agent');
    const res = await api.call('DELETE', '/api/v1/users/account', { token: owner.token, body: { password: owner.password } });
    expect(res.status, res.text).toBe(409);
  });
});
