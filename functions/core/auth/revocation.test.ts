/**
 * Access tokens stop working on the very next request after the session behind them ends:
 * logout, a session revoked from the list, a password reset or change, refresh-token reuse.
 * Nobody else's tokens are touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryKV } from '../../adapters/local/kv';
import { createTestApi, refreshCookieFrom, type TestApi, type TestUser } from '../../testing/harness';
import { assertAccessNotRevoked, revokeSessionAccess, revokeUserAccess } from './revocation';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const sessionOf = (token: string): string => JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sid;
const profile = (token: string) => api.call('GET', '/api/v1/users/profile', { token });

async function login(user: TestUser) {
  const res = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
  expect(res.status, res.text).toBe(200);
  return { token: res.body.accessToken as string, cookie: refreshCookieFrom(res.headers) };
}

async function expectRevoked(token: string) {
  const res = await profile(token);
  expect(res.status, res.text).toBe(401);
  expect(res.body.error.code).toBe('invalid_token');
}

async function expectWorks(token: string) {
  const res = await profile(token);
  expect(res.status, res.text).toBe(200);
}

describe('access-token revocation', () => {
  it('logout ends that session\u2019s access token at once, and only that one', async () => {
    const user = await api.signUp();
    const otherDevice = await login(user);
    const bystander = await api.signUp();
    await expectWorks(user.token);
    const out = await api.call('POST', '/api/v1/auth/logout', { headers: { cookie: user.refreshCookie } });
    expect(out.status, out.text).toBe(204);
    await expectRevoked(user.token);
    await expectWorks(otherDevice.token);
    await expectWorks(bystander.token);
  });

  it('revoking a session from the list ends its access token', async () => {
    const user = await api.signUp();
    const laptop = await login(user);
    const res = await api.call('DELETE', `/api/v1/auth/sessions/${sessionOf(laptop.token)}`, { token: user.token });
    expect(res.status, res.text).toBe(204);
    await expectRevoked(laptop.token);
    await expectWorks(user.token);
  });

  it('a password reset ends every access token of the user, not anyone else\u2019s', async () => {
    const user = await api.signUp();
    const phone = await login(user);
    const bystander = await api.signUp();
    await api.call('POST', '/api/v1/auth/forgot-password', { body: { email: user.email } });
    const mail = (await api.outboxFor(user.email)).find((m) => m.text.includes('reset-password'))!;
    const token = decodeURIComponent(/reset-password\?token=([^\s]+)/.exec(mail.text)![1]);
    const res = await api.call('POST', '/api/v1/auth/reset-password', { body: { token, password: 'brand-new-password-9' } });
    expect(res.status, res.text).toBe(204);
    await expectRevoked(user.token);
    await expectRevoked(phone.token);
    await expectWorks(bystander.token);
    // Signing in again right away works: the cut-off is for tokens issued before the reset.
    const fresh = await login({ ...user, password: 'brand-new-password-9' });
    await expectWorks(fresh.token);
  });

  it('a password change ends the user\u2019s other sessions\u2019 access tokens, not the current one', async () => {
    const user = await api.signUp();
    const phone = await login(user);
    const res = await api.call('POST', '/api/v1/users/change-password', { token: user.token, body: { currentPassword: user.password, newPassword: 'changed-password-77' } });
    expect(res.status, res.text).toBe(204);
    await expectRevoked(phone.token);
    await expectWorks(user.token);
  });

  it('refresh-token reuse ends the family\u2019s access tokens, not the user\u2019s other sessions', async () => {
    const user = await api.signUp();
    const otherDevice = await login(user);
    const rotated = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: user.refreshCookie }, body: {} });
    expect(rotated.status, rotated.text).toBe(200);
    await expectWorks(rotated.body.accessToken);
    // The old refresh token comes back: it leaked, so the whole family is signed out.
    const reuse = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: user.refreshCookie }, body: {} });
    expect(reuse.status).toBe(401);
    await expectRevoked(rotated.body.accessToken);
    await expectRevoked(user.token);
    await expectWorks(otherDevice.token);
  });
});

describe('revocation keys', () => {
  const config = { ACCESS_TOKEN_TTL_SECONDS: 900 };

  it('refuse a revoked session and tokens issued before the user\u2019s cut-off, for the token lifetime only', async () => {
    let now = 1_000_000_000_000;
    const kv = createMemoryKV({ now: () => now });
    const claims = { userId: 'u1', sessionId: 's1', issuedAt: now / 1000 - 10 };
    await expect(assertAccessNotRevoked(kv, claims)).resolves.toBeUndefined();
    await revokeSessionAccess({ kv, config }, ['s1']);
    await expect(assertAccessNotRevoked(kv, claims)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(assertAccessNotRevoked(kv, { ...claims, sessionId: 's2' })).resolves.toBeUndefined();
    await revokeUserAccess({ kv, config }, 'u1', now);
    await expect(assertAccessNotRevoked(kv, { ...claims, sessionId: 's2' })).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(assertAccessNotRevoked(kv, { ...claims, sessionId: 's2', issuedAt: now / 1000 })).resolves.toBeUndefined();
    now += 901_000;
    await expect(assertAccessNotRevoked(kv, claims)).resolves.toBeUndefined();
  });
});
