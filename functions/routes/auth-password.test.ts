import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, uniqueEmail, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('password reset', () => {
  it('resets the password and signs out every session', async () => {
    const user = await api.signUp();
    expect((await api.call('POST', '/api/v1/auth/forgot-password', { body: { email: user.email } })).status).toBe(202);
    expect((await api.call('POST', '/api/v1/auth/forgot-password', { body: { email: uniqueEmail() } })).status).toBe(202);
    const mails = await api.outboxFor(user.email);
    const reset = mails.find((m) => m.text.includes('reset-password'))!;
    const token = decodeURIComponent(/reset-password\?token=([^\s]+)/.exec(reset.text)![1]);
    const res = await api.call('POST', '/api/v1/auth/reset-password', { body: { token, password: 'brand-new-password-9' } });
    expect(res.status, res.text).toBe(204);
    expect((await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: user.refreshCookie }, body: {} })).status).toBe(401);
    const login = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'brand-new-password-9' } });
    expect(login.status).toBe(200);
    expect((await api.call('POST', '/api/v1/auth/reset-password', { body: { token, password: 'another-password-9' } })).status).toBe(400);
  });
});
