import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('invitation links', () => {
  it('an invitation is for its email only, and single use', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const invitee = await api.signUp();
    await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, { token: owner.token, body: { email: invitee.email, role: 'viewer' } });
    const mails = await api.outboxFor(invitee.email);
    const token = decodeURIComponent(/\/invite\/([^\s]+)/.exec(mails[0].text)![1]);
    const preview = await api.call('GET', `/api/v1/invitations/${encodeURIComponent(token)}`);
    expect(preview.body).toMatchObject({ email: invitee.email, role: 'viewer' });
    const stranger = await api.signUp();
    expect((await api.call('POST', '/api/v1/invitations/accept', { token: stranger.token, body: { token } })).status).toBe(403);
    expect((await api.call('POST', '/api/v1/invitations/accept', { token: invitee.token, body: { token } })).status).toBe(200);
    expect((await api.call('POST', '/api/v1/invitations/accept', { token: invitee.token, body: { token } })).status).toBe(404);
  });
});
