import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, refreshCookieFrom, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('sessions', () => {
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
