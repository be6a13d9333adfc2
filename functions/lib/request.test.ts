import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestApi, uniqueEmail, type TestApi } from '../testing/harness';
import { parseConfig } from './config';

async function loginStatuses(api: TestApi, headersFor: (attempt: number) => Record<string, string>, attempts = 4) {
  const statuses: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const res = await api.call('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'whatever-123' }, headers: headersFor(i) });
    statuses.push(res.status);
  }
  return statuses;
}

describe('client IP on Node', () => {
  it('spoofed CF-Connecting-IP, X-Forwarded-For or X-Real-IP headers do not escape the sign-in limit per IP', async () => {
    const api = await createTestApi({ authAttemptsPerIp: '3' });
    onTestFinished(() => api.close());
    const spoofs: Array<Record<string, string>> = [
      { 'cf-connecting-ip': '203.0.113.1' },
      { 'x-forwarded-for': '203.0.113.2' },
      { 'x-real-ip': '203.0.113.3' },
      { 'cf-connecting-ip': '198.51.100.4', 'x-forwarded-for': '203.0.113.4', 'x-real-ip': '192.0.2.4' },
    ];
    expect(await loginStatuses(api, (i) => spoofs[i])).toEqual([401, 401, 401, 429]);
  }, 120_000);

  it('with TRUST_PROXY, honours X-Forwarded-For from the trusted proxy', async () => {
    const api = await createTestApi({ authAttemptsPerIp: '3', env: { TRUST_PROXY: 'loopback' } });
    onTestFinished(() => api.close());
    // Four clients behind our proxy: each has its own budget.
    expect(await loginStatuses(api, (i) => ({ 'x-forwarded-for': `203.0.113.${i + 1}` }))).toEqual([401, 401, 401, 401]);
    // One client rotating a forged left part: the proxy appended the same real address each time.
    expect(await loginStatuses(api, (i) => ({ 'x-forwarded-for': `10.9.9.${i}, 198.51.100.77` }))).toEqual([401, 401, 401, 429]);

    const user = await api.signUp();
    await api.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password }, headers: { 'x-forwarded-for': '198.51.100.20' } });
    const sessions = await api.call('GET', '/api/v1/auth/sessions', { token: user.token });
    expect(sessions.body.data.map((s: { ip: string }) => s.ip), sessions.text).toContain('198.51.100.20');
  }, 120_000);
});

describe('TRUST_PROXY setting', () => {
  const base = { runtime: 'local', APP_URL: 'http://localhost:8787', JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: 'x'.repeat(32), QSTASH_CURRENT_SIGNING_KEY: 'x'.repeat(32), QSTASH_NEXT_SIGNING_KEY: 'x'.repeat(32) };

  it('parses names, addresses, CIDRs and hop counts', () => {
    expect(parseConfig(base).TRUST_PROXY).toEqual({ kind: 'none' });
    expect(parseConfig({ ...base, TRUST_PROXY: '1' }).TRUST_PROXY).toEqual({ kind: 'hops', hops: 1 });
    expect(parseConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.0.2.1, fd00::/8' }).TRUST_PROXY).toEqual({
      kind: 'ranges',
      ranges: ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '192.0.2.1', 'fd00::/8'],
    });
  });

  it('refuses anything else with the reason', () => {
    expect(() => parseConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: "true" is not loopback/);
    expect(() => parseConfig({ ...base, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });
});
