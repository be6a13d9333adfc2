import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestApi, refreshCookieFrom, uniqueEmail, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('signing in and out', () => {
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
});
