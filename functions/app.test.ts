import { request } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('cross-cutting behaviour', () => {
  it('serves an OpenAPI 3.1 document and the reference page', async () => {
    const doc = await api.call('GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/organizations/{org_id}/members/invite']));
    expect(doc.body.components.securitySchemes.bearerAuth).toBeTruthy();
    const page = await api.call('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.raw).toMatch(/<script src="\/vendor\/scalar\.js"( nonce="[^"]+")?><\/script>/);
    expect(page.raw).toContain('"url": "/api/openapi.json"');
    // Offline-safe: no buttons to Scalar's hosted services, no developer bar.
    expect(page.raw).toContain('"hideClientButton": true');
    expect(page.raw).toContain('"showDeveloperTools": "never"');
    // The brief's knowledge-base aliases stay in the document but are not drawn as a second group.
    const aliases = Object.entries(doc.body.paths as Record<string, Record<string, { tags?: string[]; 'x-scalar-ignore'?: boolean }>>)
      .flatMap(([, ops]) => Object.values(ops))
      .filter((op) => op.tags?.includes('Knowledge base (brief paths)'));
    expect(aliases.length).toBeGreaterThan(0);
    expect(aliases.every((op) => op['x-scalar-ignore'] === true)).toBe(true);
  });

  it('puts a request id and secure headers on every response', async () => {
    const res = await api.call('GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', requestId: res.headers.get('x-request-id') });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBeTruthy();
  });

  it('refuses bodies over the size limit with 413', async () => {
    const huge = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2_000_000), name: 'n' });
    // Its own connection: the server answers before reading the whole body and closes it.
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${api.baseUrl}/api/v1/auth/register`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (r) => {
        let body = '';
        r.on('data', (chunk) => (body += chunk));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(huge);
    });
    expect(res.status, res.body.slice(0, 300)).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
  });

  it('bounds a chunked body (no declared length) as it is read: 413 past the limit, read whole within it', async () => {
    // Written in pieces without a Content-Length: Node sends it chunked, and the size is only known by reading.
    const send = (pieces: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${api.baseUrl}/api/v1/auth/login`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (r) => {
          let body = '';
          r.on('data', (chunk) => (body += chunk));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        for (const piece of pieces) req.write(piece);
        req.end();
      });
    const over = await send(['{"email":"a@b.co","password":"', ...Array.from({ length: 40 }, () => 'x'.repeat(64 * 1024)), '"}']);
    expect(over.status, over.body.slice(0, 300)).toBe(413);
    expect(JSON.parse(over.body).error.code).toBe('payload_too_large');
    const within = await send(['{"email":"nobody@example.com",', '"password":"not-the-password-1"}']);
    expect(within.status, within.body).toBe(401);
  });

  it('answers CORS preflight only for the app origin', async () => {
    const origin = api.runtime.config.APP_URL;
    const ok = await fetch(`${api.baseUrl}/api/v1/auth/login`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe(new URL(origin).origin);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await fetch(`${api.baseUrl}/api/v1/auth/login`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('job deliveries', () => {
  const url = () => `${api.runtime.config.APP_URL}/api/jobs/purge-expired`;

  async function sign(body: string, key: string, subject = url()) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
    const hash = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return new SignJWT({ body: hash })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('Upstash')
      .setSubject(subject)
      .setIssuedAt()
      .setNotBefore(Math.floor(Date.now() / 1000) - 5)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(key));
  }

  it('refuses unsigned and wrongly signed deliveries', async () => {
    expect((await api.call('POST', '/api/jobs/purge-expired', { body: {} })).status).toBe(401);
    const forged = await sign('{}', 'some-other-key-some-other-key-some-other');
    const res = await api.call('POST', '/api/jobs/purge-expired', { rawBody: '{}', headers: { 'upstash-signature': forged } });
    expect(res.status).toBe(401);
    const otherUrl = await sign('{}', api.runtime.config.QSTASH_CURRENT_SIGNING_KEY, `${api.runtime.config.APP_URL}/api/jobs/send-mail`);
    expect((await api.call('POST', '/api/jobs/purge-expired', { rawBody: '{}', headers: { 'upstash-signature': otherUrl } })).status).toBe(401);
  });

  it('runs a correctly signed job (next signing key too, for key rotation)', async () => {
    for (const key of [api.runtime.config.QSTASH_CURRENT_SIGNING_KEY, api.runtime.config.QSTASH_NEXT_SIGNING_KEY]) {
      const res = await api.call('POST', '/api/jobs/purge-expired', { rawBody: '{}', headers: { 'upstash-signature': await sign('{}', key) } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.ok).toBe(true);
    }
  });

  it('the local runner delivers queued mail through the signed job route', async () => {
    const user = await api.signUp();
    const mails = await api.outboxFor(user.email);
    expect(mails).toHaveLength(1);
  });
});
