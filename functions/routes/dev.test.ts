import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestApi, uniqueEmail, type TestApi } from '../testing/harness';

const OPERATOR_KEY = 'operator-key-only-the-terminal-knows';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ env: { DEV_OUTBOX_KEY: OPERATOR_KEY } });
}, 120_000);
afterAll(() => api.close());

async function outbox(options: { token?: string; to?: string; key?: string } = {}) {
  await api.runtime.queue.drain();
  const query = options.to ? `?to=${encodeURIComponent(options.to)}` : '';
  return api.call('GET', `/api/v1/dev/outbox${query}`, { token: options.token, headers: options.key ? { 'x-dev-outbox-key': options.key } : {} });
}

describe('dev outbox', () => {
  it('answers 401 to whoever merely reaches the port', async () => {
    const victim = await api.signUp();
    await api.call('POST', '/api/v1/auth/forgot-password', { body: { email: victim.email } });
    for (const res of [await outbox(), await outbox({ to: victim.email })]) {
      expect(res.status, res.text).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.raw).not.toContain('reset-password');
    }
  });

  it('shows a newcomer their own verification link, one click from sign-up', async () => {
    const newcomer = await api.signUp();
    const res = await outbox({ token: newcomer.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ to: newcomer.email });
    expect(res.body.data[0].text).toMatch(/\/verify-email\?token=/);
  });

  it("never lists someone else's mail, password resets included", async () => {
    const attacker = await api.signUp();
    const victim = await api.signUp();
    // Anyone may ask for a reset of any address; the link must reach only its owner.
    await api.call('POST', '/api/v1/auth/forgot-password', { body: { email: victim.email } });
    const asked = await outbox({ token: attacker.token, to: victim.email });
    expect(asked.status, asked.text).toBe(200);
    expect(asked.body.data.map((m: { to: string }) => m.to)).toEqual([attacker.email]);
    expect(asked.raw).not.toContain('reset-password');

    const own = await outbox({ token: victim.token });
    expect(own.body.data.some((m: { text: string }) => m.text.includes('reset-password')), own.text).toBe(true);
  });

  it('lets the operator key read any recipient, and refuses a wrong key', async () => {
    const email = uniqueEmail('invitee');
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, { token: owner.token, body: { email, role: 'agent' } });
    const res = await outbox({ key: OPERATOR_KEY, to: email });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data[0].text).toMatch(/\/invite\//);
    const wrong = await outbox({ key: 'not-the-operator-key-at-all', to: email });
    expect(wrong.status).toBe(401);
    expect(wrong.raw).not.toContain('/invite/');
  });

  it('has no operator access when DEV_OUTBOX_KEY is not set', async () => {
    const plain = await createTestApi();
    onTestFinished(() => plain.close());
    const res = await plain.call('GET', `/api/v1/dev/outbox?to=${encodeURIComponent('a@example.com')}`, { headers: { 'x-dev-outbox-key': '' } });
    expect(res.status).toBe(401);
  }, 120_000);
});
