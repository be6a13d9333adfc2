// `npm run dev -- --demo`: a demo account and organization, the sample flower shop in it
// (functions/core/demo/sample-shop.ts, through the API in-process) and the shop's page on
// another origin (PORT+1) that embeds the real widget. A second run reuses all of it.
// Loaded by scripts/dev.ts under plain Node: only Node built-ins and strippable files.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Runtime {
  /** The Node server passes the client's address beside each request (functions/lib/request.ts). */
  app: { fetch(request: Request, bindings: { clientIp: string }): Response | Promise<Response> };
  config: { APP_URL: string };
}

const DEMO_EMAIL = 'demo@versaai.local';

type Call = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => Promise<T>;

/** Requests straight into the app, with the client address the Node server would pass beside them. */
function inProcessApi(runtime: Runtime, headers: Record<string, string> = {}): Call {
  return async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await runtime.app.fetch(
      new Request(new URL(path, runtime.config.APP_URL), {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { clientIp: '127.0.0.1' },
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}

/** The demo user's password, generated once and kept in the data directory. */
function demoPassword(dataDir: string): string {
  const file = join(dataDir, 'demo-account.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { password: string }).password;
  const password = randomBytes(9).toString('base64url');
  writeFileSync(file, JSON.stringify({ email: DEMO_EMAIL, password }, null, 2), { mode: 0o600 });
  return password;
}

async function signInDemoUser(runtime: Runtime, password: string): Promise<string> {
  const api = inProcessApi(runtime);
  try {
    const registered = await api<{ accessToken: string }>('POST', '/api/v1/auth/register', { name: 'Demo', email: DEMO_EMAIL, password, locale: 'es' });
    return registered.accessToken;
  } catch {
    const login = await api<{ accessToken: string }>('POST', '/api/v1/auth/login', { email: DEMO_EMAIL, password });
    return login.accessToken;
  }
}

async function demoOrganization(api: Call, name: string): Promise<string> {
  const orgs = await api<{ data: Array<{ id: string; name: string }> }>('GET', '/api/v1/organizations');
  const found = orgs.data.find((o) => o.name === name);
  return found?.id ?? (await api<{ id: string }>('POST', '/api/v1/organizations', { name })).id;
}

function serveShopPage(port: number, host: string, html: string): Promise<Server> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(html);
  });
  return new Promise((done, fail) => server.once('error', fail).listen(port, host, () => done(server)));
}

export async function startDemo(started: { runtime: Runtime; dataDir: string; server: Server }) {
  const { runtime, dataDir } = started;
  const shop = await import(pathToFileURL(resolve(import.meta.dirname, '../functions/core/demo/sample-shop.ts')).href);
  console.log('Creating the sample shop (account, knowledge base, chatbot)…');
  const password = demoPassword(dataDir);
  const token = await signInDemoUser(runtime, password);
  const orgId = await demoOrganization(inProcessApi(runtime, { authorization: `Bearer ${token}` }), shop.SAMPLE_SHOP.name);
  const api = inProcessApi(runtime, { authorization: `Bearer ${token}`, 'x-organization-id': orgId });
  const { botId } = await shop.createSampleShop(api);

  const port = Number(process.env.PORT ?? 8787) + 1;
  const host = process.env.HOST ?? '127.0.0.1';
  const html = shop.sampleShopPage({ widgetOrigin: runtime.config.APP_URL, botId });
  const site = await serveShopPage(port, host, html);
  started.server.once('close', () => site.close());
  process.once('SIGINT', () => site.close());
  console.log(
    [
      '',
      `  Sample shop (another origin, with the widget): http://localhost:${port}/`,
      `  Dashboard: ${runtime.config.APP_URL}  sign in as ${DEMO_EMAIL} / ${password}`,
      `  Ask the shop's chat, for example: «${shop.SAMPLE_SHOP.question}»`,
      '',
    ].join('\n'),
  );
}
