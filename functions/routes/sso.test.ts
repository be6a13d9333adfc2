import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, uniqueEmail, type TestApi, type TestUser } from '../testing/harness';
import { startDohResolver, startOidcProvider, type TestOidcProvider } from '../testing/oidc-provider';

const APP_URL = 'http://localhost:5999';
let api: TestApi;
let idp: TestOidcProvider;
let resolver: Awaited<ReturnType<typeof startDohResolver>>;

beforeAll(async () => {
  resolver = await startDohResolver();
  idp = await startOidcProvider({ redirectUris: [`${APP_URL}/sso/callback`] });
  // The provider listens on loopback: ALLOW_PRIVATE_URLS is the development setting that lets an issuer be there.
  api = await createTestApi({ env: { APP_URL, ALLOW_PRIVATE_URLS: 'true', DNS_RESOLVER_URL: resolver.url } });
});
afterAll(async () => {
  await api.close();
  await idp.close();
  await resolver.close();
});

let domainCounter = 0;
function uniqueDomain() {
  domainCounter += 1;
  return `acme-${Date.now().toString(36)}-${domainCounter}.test`;
}

interface SsoOrg {
  admin: TestUser;
  orgId: string;
  domain: string;
}

/** An organization with the test provider configured and a domain verified by its TXT record. */
async function ssoOrg(settings: { defaultRole?: 'admin' | 'agent' | 'viewer'; ssoRequired?: boolean } = {}): Promise<SsoOrg> {
  const admin = await api.signUp();
  const org = await api.createOrg(admin, 'SSO Co');
  const domain = uniqueDomain();
  const put = await api.call('PUT', '/api/v1/sso/connection', {
    token: admin.token,
    orgId: org.id,
    body: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, defaultRole: settings.defaultRole ?? 'viewer', ssoRequired: settings.ssoRequired ?? false },
  });
  expect(put.status, put.text).toBe(200);
  const added = await api.call('POST', '/api/v1/sso/domains', { token: admin.token, orgId: org.id, body: { domain } });
  expect(added.status, added.text).toBe(201);
  resolver.txt.set(domain, ['v=spf1 -all', added.body.txtRecord.value]);
  const verified = await api.call('POST', `/api/v1/sso/domains/${added.body.id}/verify`, { token: admin.token, orgId: org.id, body: { method: 'dns' } });
  expect(verified.status, verified.text).toBe(200);
  return { admin, orgId: org.id, domain };
}

/** Start at the API, sign in at the provider as `email`; the query string the provider sent back. */
async function signInAtProvider(loginEmail: string, idpEmail = loginEmail): Promise<string> {
  const start = await api.call('POST', '/api/v1/auth/sso/start', { body: { email: loginEmail } });
  expect(start.status, start.text).toBe(200);
  const url = new URL(start.body.authorizationUrl);
  expect(url.origin).toBe(idp.issuer);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('nonce')).toBeTruthy();
  const back = await idp.authorize(start.body.authorizationUrl, idpEmail);
  expect(`${back.origin}${back.pathname}`).toBe(`${APP_URL}/sso/callback`);
  return back.search;
}

const finish = (query: string) => api.call('POST', '/api/v1/auth/sso/callback', { body: { query, tokenDelivery: 'body' } });

describe('single sign-on', () => {
  it('signs a new employee in and makes them a member with the default role', async () => {
    const { admin, orgId, domain } = await ssoOrg({ defaultRole: 'viewer' });
    const email = `new.hire@${domain}`;
    idp.accounts.set(email, { email, name: 'New Hire' });
    const res = await finish(await signInAtProvider(email));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ organizationId: orgId, user: { email, name: 'New Hire', emailVerified: true } });
    const profile = await api.call('GET', '/api/v1/users/profile', { token: res.body.accessToken });
    expect(profile.body.organizations).toEqual([expect.objectContaining({ id: orgId, role: 'viewer' })]);
    const audit = await api.call('GET', '/api/v1/audit-log', { token: admin.token, orgId });
    const actions = audit.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.sso_login', 'member.joined', 'sso.domain_verified', 'sso.configured']));
  });

  it('signs an existing member in without changing their role', async () => {
    const { admin, orgId, domain } = await ssoOrg({ defaultRole: 'viewer' });
    const email = `boss@${domain}`;
    const first = await finish(await signInAtProvider(email));
    expect(first.status, first.text).toBe(200);
    const members = await api.call('GET', `/api/v1/organizations/${orgId}/members`, { token: admin.token });
    const boss = members.body.data.find((m: { email: string }) => m.email === email);
    expect((await api.call('PUT', `/api/v1/organizations/${orgId}/members/${boss.userId}`, { token: admin.token, body: { role: 'admin' } })).status).toBe(200);
    const again = await finish(await signInAtProvider(email));
    expect(again.status, again.text).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
    const profile = await api.call('GET', '/api/v1/users/profile', { token: again.body.accessToken });
    expect(profile.body.organizations).toEqual([expect.objectContaining({ id: orgId, role: 'admin' })]);
  });

  it('refuses a replayed answer: the state is used once', async () => {
    const { domain } = await ssoOrg();
    const query = await signInAtProvider(`replay@${domain}`);
    expect((await finish(query)).status).toBe(200);
    const replay = await finish(query);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toMatchObject({ code: 'sso_failed', details: { reason: 'replayed' } });
  });

  it('refuses a tampered state', async () => {
    const { domain } = await ssoOrg();
    const params = new URLSearchParams(await signInAtProvider(`tamper@${domain}`));
    params.set('state', `${params.get('state')}x`);
    const res = await finish(params.toString());
    expect(res.status).toBe(400);
    expect(res.body.error.details.reason).toBe('state_invalid');
  });

  it('refuses an authorization code presented again under a fresh state', async () => {
    const { domain } = await ssoOrg();
    const email = `code-replay@${domain}`;
    const used = new URLSearchParams(await signInAtProvider(email));
    expect((await finish(used.toString())).status).toBe(200);
    const fresh = new URLSearchParams(await signInAtProvider(email));
    fresh.set('code', used.get('code')!);
    const res = await finish(fresh.toString());
    expect(res.status).toBe(400);
    expect(res.body.error.details.reason).toBe('code_rejected');
  });

  it('refuses an ID token for another audience', async () => {
    const { domain } = await ssoOrg();
    const query = await signInAtProvider(`aud@${domain}`);
    idp.tamperIdToken = (claims) => ({ ...claims, aud: 'some-other-app' });
    const res = await finish(query);
    expect(res.status).toBe(400);
    expect(res.body.error.details.reason).toBe('wrong_audience');
  });

  it('refuses an expired ID token', async () => {
    const { domain } = await ssoOrg();
    const query = await signInAtProvider(`expired@${domain}`);
    const now = Math.floor(Date.now() / 1000);
    idp.tamperIdToken = (claims) => ({ ...claims, iat: now - 7200, exp: now - 3600 });
    const res = await finish(query);
    expect(res.status).toBe(400);
    expect(res.body.error.details.reason).toBe('token_expired');
  });

  it('refuses an ID token whose nonce is not this sign-in\u2019s', async () => {
    const { domain } = await ssoOrg();
    const query = await signInAtProvider(`nonce@${domain}`);
    idp.tamperIdToken = (claims) => ({ ...claims, nonce: 'a-nonce-from-another-sign-in' });
    const res = await finish(query);
    expect(res.status).toBe(400);
    expect(res.body.error.details.reason).toBe('nonce_mismatch');
  });

  it('refuses an email the provider has not verified, and a domain the organization has not claimed', async () => {
    const { domain } = await ssoOrg();
    const unverified = `unverified@${domain}`;
    idp.accounts.set(unverified, { email: unverified, emailVerified: false });
    const first = await finish(await signInAtProvider(unverified));
    expect(first.body.error.details.reason).toBe('email_unverified');
    const outsider = uniqueEmail('outsider');
    const second = await finish(await signInAtProvider(`someone@${domain}`, outsider));
    expect(second.status).toBe(400);
    expect(second.body.error.details.reason).toBe('domain_not_allowed');
  });

  it('answers not_configured for a domain without SSO', async () => {
    const res = await api.call('POST', '/api/v1/auth/sso/start', { body: { email: uniqueEmail() } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.reason).toBe('not_configured');
  });

  it('with SSO required, refuses password sign-in and password reset for the domain', async () => {
    const { admin, orgId, domain } = await ssoOrg();
    const email = `worker@${domain}`;
    const user = await api.signUp({ email });
    expect((await api.call('POST', '/api/v1/auth/login', { body: { email, password: user.password } })).status).toBe(200);
    const put = await api.call('PUT', '/api/v1/sso/connection', {
      token: admin.token,
      orgId,
      body: { issuer: idp.issuer, clientId: idp.clientId, ssoRequired: true },
    });
    expect(put.status, put.text).toBe(200);
    const refused = await api.call('POST', '/api/v1/auth/login', { body: { email, password: user.password } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('sso_required');
    expect(refused.body.error.message).toContain('Continue with SSO');
    const reset = await api.call('POST', '/api/v1/auth/forgot-password', { body: { email } });
    expect(reset.status).toBe(403);
    expect(reset.body.error.code).toBe('sso_required');
    // Other domains keep their passwords.
    const other = await api.signUp();
    expect((await api.call('POST', '/api/v1/auth/login', { body: { email: other.email, password: other.password } })).status).toBe(200);
    // SSO itself still signs the person in.
    expect((await finish(await signInAtProvider(email))).status).toBe(200);
  });
});

describe('single sign-on settings', () => {
  it('stores the client secret encrypted and never returns it', async () => {
    const { admin, orgId } = await ssoOrg();
    const res = await api.call('GET', '/api/v1/sso', { token: admin.token, orgId });
    expect(res.status, res.text).toBe(200);
    expect(res.body.connection).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, hasClientSecret: true });
    expect(res.body.redirectUri).toBe(`${APP_URL}/sso/callback`);
    expect(res.body.presets.google.issuer).toBe('https://accounts.google.com');
    expect(res.raw).not.toContain(idp.clientSecret);
    const [row] = await api.runtime.services.db.query.ssoConnections.findMany({ where: (t, { eq }) => eq(t.organizationId, orgId) });
    expect(row.clientSecretEncrypted).not.toContain(idp.clientSecret);
    const test = await api.call('POST', '/api/v1/sso/connection/test', { token: admin.token, orgId });
    expect(test.status, test.text).toBe(200);
    expect(test.body.jwksUri).toContain(idp.issuer);
  });

  it('requires the secret the first time and the tenant in a Microsoft issuer', async () => {
    const admin = await api.signUp();
    const org = await api.createOrg(admin);
    const noSecret = await api.call('PUT', '/api/v1/sso/connection', { token: admin.token, orgId: org.id, body: { issuer: idp.issuer, clientId: 'x' } });
    expect(noSecret.status).toBe(422);
    const microsoft = await api.call('PUT', '/api/v1/sso/connection', {
      token: admin.token,
      orgId: org.id,
      body: { preset: 'microsoft', issuer: 'https://login.microsoftonline.com/{tenant}/v2.0', clientId: 'x', clientSecret: 'y' },
    });
    expect(microsoft.status).toBe(422);
  });

  it('verifies a domain only with its TXT record, and lets one organization claim it', async () => {
    const admin = await api.signUp();
    const org = await api.createOrg(admin);
    const domain = uniqueDomain();
    const added = await api.call('POST', '/api/v1/sso/domains', { token: admin.token, orgId: org.id, body: { domain: domain.toUpperCase() } });
    expect(added.body).toMatchObject({ domain, verified: false, txtRecord: { name: domain } });
    expect(added.body.txtRecord.value).toMatch(/^versaai-verification=/);
    const rival = await api.signUp();
    const rivalOrg = await api.createOrg(rival);
    const rivalAdded = await api.call('POST', '/api/v1/sso/domains', { token: rival.token, orgId: rivalOrg.id, body: { domain } });
    expect(rivalAdded.status).toBe(201);
    const missing = await api.call('POST', `/api/v1/sso/domains/${added.body.id}/verify`, { token: admin.token, orgId: org.id, body: { method: 'dns' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.reason).toBe('txt_record_missing');
    resolver.txt.set(domain, [added.body.txtRecord.value]);
    const ok = await api.call('POST', `/api/v1/sso/domains/${added.body.id}/verify`, { token: admin.token, orgId: org.id, body: { method: 'dns' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ verified: true, verificationMethod: 'dns' });
    // The rival's unverified claim is gone, and it cannot claim the domain again.
    const rivalList = await api.call('GET', '/api/v1/sso', { token: rival.token, orgId: rivalOrg.id });
    expect(rivalList.body.domains).toEqual([]);
    const again = await api.call('POST', '/api/v1/sso/domains', { token: rival.token, orgId: rivalOrg.id, body: { domain } });
    expect(again.status).toBe(409);
  });

  it('verifies a domain by the confirmation of an admin whose verified email is on it', async () => {
    const domain = uniqueDomain();
    const admin = await api.signUp({ email: `it@${domain}` });
    const org = await api.createOrg(admin);
    const added = await api.call('POST', '/api/v1/sso/domains', { token: admin.token, orgId: org.id, body: { domain } });
    const unverified = await api.call('POST', `/api/v1/sso/domains/${added.body.id}/verify`, { token: admin.token, orgId: org.id, body: { method: 'admin_email' } });
    expect(unverified.status).toBe(403);
    const mail = (await api.outboxFor(admin.email)).find((m) => m.text.includes('verify-email'))!;
    const token = decodeURIComponent(/verify-email\?token=([^\s]+)/.exec(mail.text)![1]);
    expect((await api.call('GET', `/api/v1/auth/verify-email?token=${encodeURIComponent(token)}`)).status).toBe(200);
    const ok = await api.call('POST', `/api/v1/sso/domains/${added.body.id}/verify`, { token: admin.token, orgId: org.id, body: { method: 'admin_email' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ verified: true, verificationMethod: 'admin_email' });
    const other = await api.call('POST', '/api/v1/sso/domains', { token: admin.token, orgId: org.id, body: { domain: uniqueDomain() } });
    const notMine = await api.call('POST', `/api/v1/sso/domains/${other.body.id}/verify`, { token: admin.token, orgId: org.id, body: { method: 'admin_email' } });
    expect(notMine.status).toBe(403);
  });

  it('keeps each organization’s SSO settings to its own admins (cross-tenant)', async () => {
    const { admin, orgId } = await ssoOrg();
    const settings = await api.call('GET', '/api/v1/sso', { token: admin.token, orgId });
    const domainId = settings.body.domains[0].id;
    const stranger = await api.signUp();
    const strangerOrg = await api.createOrg(stranger);
    // Another organization's id in the header: 404, never its data.
    expect((await api.call('GET', '/api/v1/sso', { token: stranger.token, orgId })).status).toBe(404);
    expect((await api.call('PUT', '/api/v1/sso/connection', { token: stranger.token, orgId, body: { issuer: idp.issuer, clientId: 'x', clientSecret: 'y' } })).status).toBe(404);
    expect((await api.call('DELETE', '/api/v1/sso/connection', { token: stranger.token, orgId })).status).toBe(404);
    // Another organization's domain id under one's own organization: 404.
    expect((await api.call('POST', `/api/v1/sso/domains/${domainId}/verify`, { token: stranger.token, orgId: strangerOrg.id, body: { method: 'dns' } })).status).toBe(404);
    expect((await api.call('DELETE', `/api/v1/sso/domains/${domainId}`, { token: stranger.token, orgId: strangerOrg.id })).status).toBe(404);
    // Members below admin: 403.
    const agent = await api.addMember(admin, orgId, 'agent');
    expect((await api.call('GET', '/api/v1/sso', { token: agent.token, orgId })).status).toBe(403);
    // And the owner's settings are as they were.
    const after = await api.call('GET', '/api/v1/sso', { token: admin.token, orgId });
    expect(after.body.domains).toHaveLength(1);
    expect(after.body.connection).not.toBeNull();
  });

  it('refuses an issuer on a private address when private URLs are not allowed', async () => {
    const strict = await createTestApi();
    try {
      const admin = await strict.signUp();
      const org = await strict.createOrg(admin);
      const res = await strict.call('PUT', '/api/v1/sso/connection', {
        token: admin.token,
        orgId: org.id,
        body: { issuer: idp.issuer, clientId: 'x', clientSecret: 'y' },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain('loopback');
    } finally {
      await strict.close();
    }
  });
});
