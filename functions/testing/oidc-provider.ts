import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

/**
 * A real OpenID provider (panva's `oidc-provider`, the certified implementation) on a loopback
 * port, for the SSO tests and the e2e suite. Its login page asks only for an email: whoever
 * types one is signed in as that account (consent is granted with it). `tamperIdToken` rewrites
 * the next token response's ID token and signs it again with the provider's own key, so a token
 * with a wrong audience, an old expiry or another nonce still carries a valid signature.
 */
export interface TestAccount {
  email: string;
  name?: string;
  emailVerified?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by email; an email not listed signs in as a verified account. */
  accounts: Map<string, TestAccount>;
  tamperIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | null;
  /**
   * Plays the browser from the authorization URL to the redirect back to the app: follows
   * redirects with the provider's cookies and submits the login form with `email`. Returns the
   * URL the provider sent the browser to (the app's callback, with code and state).
   */
  authorize(authorizationUrl: string, email: string): Promise<URL>;
  close(): Promise<void>;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function loginPage(res: ServerResponse, uid: string, clientId: string) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Test identity provider</title></head><body>
<h1>Test identity provider</h1><p>Sign in to ${escapeHtml(clientId)}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label>Email <input type="email" name="email" autofocus required></label>
<button type="submit">Sign in</button></form></body></html>`);
}

export async function startOidcProvider(options: { redirectUris: string[]; clientId?: string; clientSecret?: string }): Promise<TestOidcProvider> {
  const clientId = options.clientId ?? 'versaai-test-client';
  const clientSecret = options.clientSecret ?? 'test-client-secret-0123456789abcdef';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-key-1';
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: { tamper: TestOidcProvider['tamperIdToken'] } = { tamper: null };
  const accounts = new Map<string, TestAccount>();

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: options.redirectUris, token_endpoint_auth_method: 'client_secret_post' }],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Scope claims in the ID token itself (the relying party reads the email from it).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id) ?? { email: id };
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.emailVerified ?? true, name: account.name ?? account.email.split('@')[0] };
        },
      };
    },
  });
  provider.proxy = false;

  provider.use(async (ctx: { path: string; body: any }, next: () => Promise<void>) => {
    await next();
    const tamper = state.tamper;
    if (ctx.path === '/token' && tamper && ctx.body && typeof ctx.body.id_token === 'string') {
      state.tamper = null;
      const claims = tamper({ ...decodeJwt(ctx.body.id_token) });
      ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey) };
    }
  });

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const interaction = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
    if (!interaction) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') return loginPage(res, details.uid, String(details.params.client_id));
      const email = (await readForm(req)).get('email')?.trim().toLowerCase() ?? '';
      const grant = new provider.Grant({ accountId: email, clientId: details.params.client_id });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: email }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'interaction failed');
    }
  });

  async function authorize(authorizationUrl: string, email: string): Promise<URL> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const keep = (res: Response) => {
      for (const cookie of res.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const at = pair.indexOf('=');
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
    };
    let url = new URL(authorizationUrl);
    let init: RequestInit = { method: 'GET' };
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
      keep(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        const next = new URL(location, url);
        if (next.origin !== issuer) return next;
        url = next;
        init = { method: 'GET' };
        continue;
      }
      const text = await res.text();
      if (res.status === 200 && url.pathname.startsWith('/interaction/')) {
        init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email }).toString() };
        continue;
      }
      throw new Error(`The test provider answered ${res.status} at ${url}: ${text.slice(0, 500)}`);
    }
    throw new Error('Too many redirects at the test provider');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    get tamperIdToken() {
      return state.tamper;
    },
    set tamperIdToken(fn) {
      state.tamper = fn;
    },
    authorize,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * A DNS-over-HTTPS resolver speaking the JSON API (`application/dns-json`) with the TXT records
 * the test gives it.
 */
export async function startDohResolver(): Promise<{ url: string; txt: Map<string, string[]>; close(): Promise<void> }> {
  const txt = new Map<string, string[]>();
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://resolver').searchParams;
    const name = (query.get('name') ?? '').toLowerCase().replace(/\.$/, '');
    const records = txt.get(name) ?? [];
    res.writeHead(200, { 'content-type': 'application/dns-json' });
    res.end(
      JSON.stringify({
        Status: records.length ? 0 : 3,
        Question: [{ name: `${name}.`, type: 16 }],
        Answer: records.map((data) => ({ name: `${name}.`, type: 16, TTL: 300, data: JSON.stringify(data) })),
      }),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dns-query`,
    txt,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
