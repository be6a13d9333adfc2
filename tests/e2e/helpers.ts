import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'correct-horse-battery';
/** DEV_OUTBOX_KEY of the browser suite's server (scripts/e2e-server.mjs): reads any recipient's mail. */
export const E2E_OUTBOX_KEY = 'e2e-outbox-key-for-the-browser-suite';

export function uniqueEmail(prefix = 'user') {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** Signs up a fresh user through the UI; the dashboard runs in Spanish (the browser locale). */
export async function signUp(page: Page, opts: { name?: string; email?: string } = {}) {
  const name = opts.name ?? 'Ana Pérez';
  const email = opts.email ?? uniqueEmail();
  await page.goto('/sign-up');
  await page.getByLabel('Nombre completo').fill(name);
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Crear cuenta' }).click();
  const res = await registered;
  expect(res.status(), await res.text()).toBe(201);
  return { name, email };
}

/** The invitation link's path as the invitee receives it, read from the dev outbox (the invitee may have no account yet). */
export async function invitationLink(request: APIRequestContext, email: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await request.get(`/api/v1/dev/outbox?to=${encodeURIComponent(email)}`, { headers: { 'x-dev-outbox-key': E2E_OUTBOX_KEY } });
    const mails = (await res.json()).data as Array<{ text: string }>;
    const link = mails.map((m) => /https?:\/\/\S+\/invite\/\S+/.exec(m.text)?.[0]).find(Boolean);
    if (link) return new URL(link).pathname;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no invitation mail for ${email}`);
}

export async function createOrganization(page: Page, orgName = `Acme ${Math.random().toString(36).slice(2, 6)}`) {
  await expect(page.getByRole('heading', { name: 'Crea tu organización' })).toBeVisible();
  await page.getByLabel('Nombre de la organización').fill(orgName);
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Crear organización' }).click();
  const res = await created;
  expect(res.status(), await res.text()).toBe(201);
  await expect(page.getByRole('heading', { level: 1, name: orgName })).toBeVisible();
  return orgName;
}

export async function signOut(page: Page, name: string) {
  await page.getByRole('button', { name: `Menú de la cuenta de ${name}` }).click();
  const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  await loggedOut;
  await expect(page.getByRole('heading', { name: 'Hola de nuevo' })).toBeVisible();
}

export async function fillSignIn(page: Page, email: string, password: string) {
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña', { exact: true }).fill(password);
  const login = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  return login;
}

/**
 * A knowledge base with one text document, created through the API with the page's token and
 * organization, returned once ingestion has made the document `ready` (searchable).
 */
export async function knowledgeBaseWithDocument(
  request: APIRequestContext,
  auth: Record<string, string>,
  kb: { name: string; description?: string },
  doc: { name: string; text: string },
) {
  const kbRes = await request.post('/api/v1/knowledge-bases', { headers: auth, data: kb });
  expect(kbRes.status(), await kbRes.text()).toBe(201);
  const created = (await kbRes.json()) as { id: string };
  const docRes = await request.post(`/api/v1/knowledge-bases/${created.id}/documents`, { headers: auth, data: { type: 'text', ...doc } });
  expect(docRes.status(), await docRes.text()).toBe(202);
  const document = (await docRes.json()) as { id: string };
  await expect
    .poll(
      async () => {
        const r = await request.get(`/api/v1/knowledge-bases/${created.id}/documents/${document.id}`, { headers: auth });
        const body = (await r.json()) as { status: string; error: string | null };
        if (body.status === 'failed') throw new Error(`document failed: ${body.error}`);
        return body.status;
      },
      { timeout: 30_000 },
    )
    .toBe('ready');
  return { kb: created, doc: document };
}

/** The dashboard's own origin (the e2e server); a customer site must be another one. */
export const API_ORIGIN = `http://127.0.0.1:${process.env.E2E_PORT ?? '4599'}`;

/**
 * A customer's website on its own loopback origin that embeds the real widget with one script
 * tag: `${origin}/?bot=<id>` serves the page for that bot. With `snippet` (what the Install tab
 * gave to copy) the page at `${origin}/` embeds exactly that instead.
 */
export async function startCustomerSite(page: { title: string; style: string; body: string; snippet?: string }) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const bot = url.searchParams.get('bot') ?? '';
    if (url.pathname !== '/' || (!page.snippet && !/^[0-9a-f-]{36}$/.test(bot))) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="es"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1"><title>${page.title}</title>
      <style>${page.style}</style></head>
      <body>${page.body}
      ${page.snippet ?? `<script src="${API_ORIGIN}/widget.js" data-bot-id="${bot}" async></script>`}</body></html>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
