import type { AddressInfo } from 'node:net';
import * as OTPAuth from 'otpauth';
import { startLocalRuntime, type LocalRuntime } from '../local-runtime';
import { createHttpServer } from '../server';
import type { ResolveAll } from '../adapters/local/outbound';
import { createContractCheck } from './contract';

/**
 * Integration-test harness: the real app on the local runtime (in-memory PGlite), behind a real
 * HTTP server on a loopback port. One per test file; each test seeds its own users and orgs.
 */
export interface TestApi {
  runtime: LocalRuntime;
  baseUrl: string;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  signUp(overrides?: Partial<{ email: string; password: string; name: string }>): Promise<TestUser>;
  createOrg(user: TestUser, name?: string): Promise<{ id: string; name: string }>;
  /** A user who is a member of `orgId` with `role` (invited and accepted through the API). */
  addMember(owner: TestUser, orgId: string, role: 'admin' | 'agent' | 'viewer' | 'owner'): Promise<TestUser>;
  outboxFor(email: string): Promise<Array<{ subject: string; text: string }>>;
  /** Multipart upload of one file, as the dashboard sends it. */
  upload(path: string, file: { name: string; bytes: Uint8Array; type?: string }, options?: { token?: string; orgId?: string }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string | Uint8Array<ArrayBuffer>;
  token?: string;
  orgId?: string;
  headers?: Record<string, string>;
  /** Skip the contract check (for tests that send what no client would and only pin the status). */
  unchecked?: boolean;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  /** For assertion messages: a failing expectation prints what the server said. */
  text: string;
  /** The whole response body as text. */
  raw: string;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  token: string;
  refreshCookie: string;
}

let counter = 0;
export function uniqueEmail(prefix = 'user') {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

export function refreshCookieFrom(headers: Headers): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('versaai_rt='));
  return cookie ? cookie.split(';')[0] : '';
}

export function totpNow(secret: string, offsetSteps = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

export async function createTestApi(
  options: { jobBackoffMs?: number; authAttemptsPerIp?: string; env?: Record<string, string>; resolve?: ResolveAll } = {},
): Promise<TestApi> {
  const runtime = await startLocalRuntime({
    dataDir: null,
    resolve: options.resolve,
    // Every test request comes from 127.0.0.1; the per-IP limit is covered by its own test.
    env: { AUTH_ATTEMPTS_PER_IP: options.authAttemptsPerIp ?? '100000', ...options.env },
    jobBackoffMs: options.jobBackoffMs ?? 10 });
  const server = createHttpServer(runtime, (_req, res) => {
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const contract = createContractCheck(runtime.app);

  /** Fails the calling test when a response breaks what /api/openapi.json promises. */
  function keepContract(method: string, path: string, res: Response, body: unknown) {
    const breach = contract.check(method, path, res.status, res.headers.get('content-type'), body);
    if (breach) throw new Error(`API contract broken: ${breach}`);
  }

  async function call(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined || opts.rawBody !== undefined) headers['content-type'] ??= 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.orgId) headers['x-organization-id'] = opts.orgId;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    if (!opts.unchecked) keepContract(method, path, res, body);
    return { status: res.status, headers: res.headers, body, raw: text, text: `${method} ${path} -> ${res.status} ${text.slice(0, 2000)}` };
  }

  async function signUp(overrides: Partial<{ email: string; password: string; name: string }> = {}): Promise<TestUser> {
    const email = overrides.email ?? uniqueEmail();
    const password = overrides.password ?? 'a-strong-password-1';
    const name = overrides.name ?? 'Test User';
    const res = await call('POST', '/api/v1/auth/register', { body: { email, password, name } });
    if (res.status !== 201) throw new Error(`sign-up failed: ${res.text}`);
    return { id: res.body.user.id, email, password, name, token: res.body.accessToken, refreshCookie: refreshCookieFrom(res.headers) };
  }

  async function createOrg(user: TestUser, name = 'Acme') {
    const res = await call('POST', '/api/v1/organizations', { token: user.token, body: { name } });
    if (res.status !== 201) throw new Error(`create org failed: ${res.text}`);
    return res.body as { id: string; name: string };
  }

  async function outboxFor(email: string) {
    await runtime.queue.drain();
    // Straight from the outbox: over HTTP it shows a user only their own mail (routes/dev.ts).
    return runtime.services.outbox!.list({ to: email });
  }

  async function addMember(owner: TestUser, orgId: string, role: 'admin' | 'agent' | 'viewer' | 'owner') {
    const member = await signUp({ name: `${role} member` });
    const invite = await call('POST', `/api/v1/organizations/${orgId}/members/invite`, {
      token: owner.token,
      body: { email: member.email, role },
    });
    if (invite.status !== 201) throw new Error(`invite failed: ${invite.text}`);
    const mails = await outboxFor(member.email);
    const token = /\/invite\/([^\s]+)/.exec(mails.find((m) => m.text.includes('/invite/'))?.text ?? '')?.[1];
    const accepted = await call('POST', '/api/v1/invitations/accept', { token: member.token, body: { token: decodeURIComponent(token ?? '') } });
    if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.text}`);
    return member;
  }

  async function upload(path: string, file: { name: string; bytes: Uint8Array; type?: string }, opts: { token?: string; orgId?: string } = {}) {
    const form = new FormData();
    form.append('file', new File([file.bytes as BlobPart], file.name, { type: file.type ?? '' }));
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.orgId) headers['x-organization-id'] = opts.orgId;
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: form });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    keepContract('POST', path, res, body);
    return { status: res.status, headers: res.headers, body, raw: text, text: `POST ${path} (upload ${file.name}) -> ${res.status} ${text.slice(0, 2000)}` };
  }

  return {
    runtime,
    baseUrl,
    call,
    upload,
    signUp,
    createOrg,
    addMember,
    outboxFor,
    async close() {
      await new Promise((done) => server.close(done));
      await runtime.close();
    },
  };
}
