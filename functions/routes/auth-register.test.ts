import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, uniqueEmail, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('registration and email verification', () => {
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
});
