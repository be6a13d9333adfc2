import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestApi, refreshCookieFrom, totpNow, uniqueEmail, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('register and login', () => {
  it('registers, returns tokens and a refresh cookie, and never leaks the hash', async () => {
    const email = uniqueEmail();
    const res = await api.call('POST', '/api/v1/auth/register', { body: { email, password: 'a-strong-password-1', name: 'Ana' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.user).toMatchObject({ email, name: 'Ana', emailVerified: false, twoFactorEnabled: false });
    expect(res.text).not.toContain('pbkdf2');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('versaai_rt='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(res.body.refreshToken).toBeUndefined();
  });

  it('refuses a second account with the same email, case-insensitively', async () => {
    const user = await api.signUp();
    const res = await api.call('POST', '/api/v1/auth/register', {
      body: { email: user.email.toUpperCase(), password: 'another-password-2', name: 'B' },
    });
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('rejects bad input with 422 in the one error shape', async () => {
    const res = await api.call('POST', '/api/v1/auth/register', { body: { email: 'nope', password: 'short', name: '' } });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.requestId).toBeTruthy();
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'name', 'password']);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await api.call('POST', '/api/v1/auth/login', { rawBody: '{"email":' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('signs in with the right password and not with a wrong one', async () => {
    const user = await api.signUp();
    const bad = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'wrong-password-1' } });
    expect(bad.status, bad.text).toBe(401);
    expect(bad.body.error.code).toBe('invalid_credentials');
    const unknown = await api.call('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'whatever-123' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(bad.body.error.message);
    const ok = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password, tokenDelivery: 'body' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.accessToken).toBeTruthy();
    expect(ok.body.refreshToken).toBeTruthy();
  });

  it('limits password guessing per account with 429 and Retry-After', async () => {
    const user = await api.signUp();
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 12; i++) {
      const res = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: `wrong-${i}-password` } });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 9).every((s) => s === 401), statuses.join(',')).toBe(true);
    expect(limited?.body.error.code).toBe('rate_limited');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits attempts per IP too', async () => {
    const limited = await createTestApi({ authAttemptsPerIp: '3' });
    onTestFinished(() => limited.close());
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await limited.call('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'whatever-123' } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('refresh tokens', () => {
  it('rotates, and a reused token revokes the whole session', async () => {
    const user = await api.signUp();
    const first = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: user.refreshCookie }, body: {} });
    expect(first.status, first.text).toBe(200);
    const rotated = refreshCookieFrom(first.headers);
    expect(rotated).not.toBe(user.refreshCookie);

    const reuse = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: user.refreshCookie }, body: {} });
    expect(reuse.status, reuse.text).toBe(401);
    const afterReuse = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: rotated }, body: {} });
    expect(afterReuse.status, 'the family is revoked').toBe(401);
  });

  it('works with the token in the body for API clients', async () => {
    const user = await api.signUp();
    const login = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password, tokenDelivery: 'body' } });
    const res = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.refreshToken).toBeTruthy();
    expect(res.body.refreshToken).not.toBe(login.body.refreshToken);
  });

  it('logout ends the session', async () => {
    const user = await api.signUp();
    const out = await api.call('POST', '/api/v1/auth/logout', { headers: { cookie: user.refreshCookie } });
    expect(out.status).toBe(204);
    const res = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: user.refreshCookie }, body: {} });
    expect(res.status).toBe(401);
  });

  it('lists sessions and revokes one', async () => {
    const user = await api.signUp();
    const other = await api.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-real-ip': '6.6.6.6' },
    });
    const list = await api.call('GET', '/api/v1/auth/sessions', { token: user.token });
    expect(list.status, list.text).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.body.data[0].ip, 'the socket address, not a header').toMatch(/127\.0\.0\.1$/);
    const target = list.body.data.find((s: { current: boolean }) => !s.current);
    expect((await api.call('DELETE', `/api/v1/auth/sessions/${target.id}`, { token: user.token })).status).toBe(204);
    const refresh = await api.call('POST', '/api/v1/auth/refresh', { headers: { cookie: refreshCookieFrom(other.headers) }, body: {} });
    expect(refresh.status).toBe(401);
    const stranger = await api.signUp();
    const foreign = await api.call('DELETE', `/api/v1/auth/sessions/${list.body.data[0].id}`, { token: stranger.token });
    expect(foreign.status).toBe(404);
  });
});

describe('email verification and password reset', () => {
  it('verifies the email with the mailed single-use link', async () => {
    const user = await api.signUp();
    const [mail] = await api.outboxFor(user.email);
    expect(mail.subject).toMatch(/Confirma/);
    const token = decodeURIComponent(/verify-email\?token=([^\s]+)/.exec(mail.text)![1]);
    const res = await api.call('GET', `/api/v1/auth/verify-email?token=${encodeURIComponent(token)}`);
    expect(res.status, res.text).toBe(200);
    const again = await api.call('GET', `/api/v1/auth/verify-email?token=${encodeURIComponent(token)}`);
    expect(again.status).toBe(400);
    const profile = await api.call('GET', '/api/v1/users/profile', { token: user.token });
    expect(profile.body.emailVerified).toBe(true);
  });

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

describe('two-factor authentication', () => {
  it('sets up TOTP, requires it at login, accepts a backup code once, and disables', async () => {
    const user = await api.signUp();
    const setup = await api.call('POST', '/api/v1/auth/2fa/setup', { token: user.token });
    expect(setup.status, setup.text).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/VersaAI/);
    const wrong = await api.call('POST', '/api/v1/auth/2fa/verify', { token: user.token, body: { code: '000000' } });
    expect(wrong.status).toBe(401);
    const verify = await api.call('POST', '/api/v1/auth/2fa/verify', { token: user.token, body: { code: totpNow(setup.body.secret) } });
    expect(verify.status, verify.text).toBe(200);
    expect(verify.body.backupCodes).toHaveLength(10);

    const login = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(login.body).toMatchObject({ twoFactorRequired: true });
    expect(login.body.accessToken).toBeUndefined();
    const badCode = await api.call('POST', '/api/v1/auth/login/2fa', { body: { challengeToken: login.body.challengeToken, code: '123456' } });
    expect(badCode.status).toBe(401);
    const backup = verify.body.backupCodes[0];
    const withBackup = await api.call('POST', '/api/v1/auth/login/2fa', { body: { challengeToken: login.body.challengeToken, code: backup } });
    expect(withBackup.status, withBackup.text).toBe(200);
    const reused = await api.call('POST', '/api/v1/auth/login/2fa', { body: { challengeToken: login.body.challengeToken, code: backup } });
    expect(reused.status).toBe(401);
    expect((await api.call('GET', '/api/v1/auth/2fa/backup-codes', { token: user.token })).body.remaining).toBe(9);

    // The code used to enable 2FA cannot be replayed within its window; the next step's code works.
    const disable = await api.call('POST', '/api/v1/auth/2fa/disable', {
      token: user.token,
      body: { password: user.password, code: totpNow(setup.body.secret, 1) },
    });
    expect(disable.status, disable.text).toBe(204);
    const plain = await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(plain.body.accessToken).toBeTruthy();
  });
});

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
