import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, totpNow, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

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
