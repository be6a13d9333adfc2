/**
 * Issue 13, the first ten minutes, exactly as a newcomer does them under `npm run dev` (Vite, the
 * widget served and rebuilt by the dev server, default settings; see playwright.dev.config.ts):
 * sign up, upload a document, create and deploy a bot, copy the snippet from the Install tab,
 * paste it into a page on another origin, ask, answer "Sí" to the offer of a person, the agent takes over in the
 * inbox and replies, the visitor sees it, and the overview counts what the inbox shows.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createOrganization, signUp, startCustomerSite } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');
const BOT_NAME = 'Rosa';
const KB_NAME = 'Floristería Lirio';
const DOC_FILE = 'horario-y-envios.md';
const DOC_TEXT = `# Horario y envíos

Abrimos de lunes a sábado de 9:30 a 20:00. Los domingos cerramos.

Hacemos envíos el mismo día en la ciudad para los pedidos hechos antes de las 13:00.
`;
const QUESTION = '¿Hacéis envíos el mismo día?';
const AGENT_REPLY = 'Hola, soy Marta. Te confirmo el envío de hoy si pides antes de las 13:00.';

type Auth = Record<string, string>;

async function newcomer(page: Page): Promise<Auth> {
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Marta Gil' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Floristería Lirio');
  const org = (await (await orgCreated).json()) as { id: string };
  return { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };
}

/** Knowledge › new knowledge base › drop a file; waits until the document is searchable. */
async function uploadDocument(page: Page, auth: Auth) {
  await page.getByRole('link', { name: 'Conocimiento', exact: true }).click();
  await page.getByRole('button', { name: 'Nueva base de conocimiento' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nueva base de conocimiento' });
  await dialog.getByLabel('Nombre').fill(KB_NAME);
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/knowledge-bases') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Crear base de conocimiento' }).click();
  const kb = (await (await created).json()) as { id: string };
  await expect(page.getByRole('heading', { level: 1, name: KB_NAME })).toBeVisible();

  const uploaded = page.waitForResponse((r) => r.url().endsWith('/documents/upload'));
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /Suelta archivos aquí/ }).click();
  await (await chooser).setFiles([{ name: DOC_FILE, mimeType: 'text/markdown', buffer: Buffer.from(DOC_TEXT) }]);
  const uploadRes = await uploaded;
  expect(uploadRes.status(), await uploadRes.text()).toBe(202);
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/knowledge-bases/${kb.id}/documents?limit=10`, { headers: auth });
        return ((await res.json()) as { data: { status: string }[] }).data.map((d) => d.status);
      },
      { timeout: 60_000 },
    )
    .toEqual(['ready']);
}

/** The wizard with the knowledge base and the built-in answerer, then Deploy. */
async function createAndDeployBot(page: Page) {
  await page.getByRole('link', { name: 'Chatbots', exact: true }).click();
  await page.getByRole('button', { name: 'Nuevo chatbot' }).click();
  const wizard = page.getByRole('dialog', { name: 'Nuevo chatbot' });
  await wizard.getByLabel('Nombre', { exact: true }).fill(BOT_NAME);
  await wizard.getByRole('button', { name: 'Siguiente' }).click();
  await wizard.getByRole('checkbox', { name: new RegExp(KB_NAME) }).check();
  await wizard.getByRole('button', { name: 'Siguiente' }).click();
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/chatbots') && r.request().method() === 'POST');
  await wizard.getByRole('button', { name: 'Crear borrador' }).click();
  const bot = (await (await created).json()) as { id: string };
  await expect(page.getByRole('heading', { level: 1, name: BOT_NAME })).toBeVisible();
  const deployed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}/deploy`));
  await page.getByRole('button', { name: 'Desplegar' }).click();
  expect((await deployed).status()).toBe(200);
  return bot;
}

test('newcomer under npm run dev: sign up, upload, deploy, embed on another origin, ask, hand off, agent replies, counts agree', async ({ page, browser }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  mkdirSync(SHOTS, { recursive: true });

  // 1–3. Account, a document, a deployed bot.
  const auth = await newcomer(page);
  await uploadDocument(page, auth);
  const bot = await createAndDeployBot(page);

  // 4. The Install tab: the dev server serves /widget.js, so the preview is the real widget.
  await page.getByRole('link', { name: 'Instalar', exact: true }).click();
  const snippet = (await page.getByLabel('Código de inserción').textContent())!.trim();
  expect(snippet).toBe(`<script src="${new URL(page.url()).origin}/widget.js" data-bot-id="${bot.id}" async></script>`);
  const preview = page.frameLocator(`iframe[title="Vista previa en vivo del widget de ${BOT_NAME}"]`);
  await expect(preview.getByRole('button', { name: 'Abrir chat' })).toBeVisible({ timeout: 30_000 });

  // 5. The snippet pasted into the shop's own page, on another origin.
  const site = await startCustomerSite({
    title: 'Floristería Lirio',
    style: 'body { font-family: Georgia, serif; margin: 40px; background: #fdf2f8; }',
    body: '<h1>Floristería Lirio</h1><p>Ramos frescos cada día.</p>',
    snippet,
  });
  const visitorContext = await browser.newContext({ locale: 'es-ES', viewport: { width: 1100, height: 800 } });
  try {
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${site.origin}/`);
    await visitor.getByRole('button', { name: 'Abrir chat' }).click();
    const widget = visitor.getByRole('dialog', { name: BOT_NAME });
    await expect(widget).toBeVisible();
    const input = widget.getByRole('textbox', { name: 'Escribe tu mensaje…' });

    // 6. A question the document answers.
    await input.fill(QUESTION);
    await input.press('Enter');
    await expect(widget.locator('.m.a').last()).toContainText('13:00', { timeout: 30_000 });

    // 7. A question the shop's document does not answer: the bot says so and offers a person with
    // two buttons; the visitor answers "Sí" and the conversation goes to the team.
    await input.fill('¿Cuál es la capital de Australia?');
    await input.press('Enter');
    const yes = widget.getByRole('button', { name: 'Sí, con una persona' });
    await expect(yes).toBeVisible({ timeout: 30_000 });
    await yes.click();
    await expect(widget.locator('.m.a').filter({ hasText: /persona del equipo/ }).last()).toBeVisible({ timeout: 30_000 });

    // 8. The agent takes over in the inbox and replies; the visitor sees it live.
    await page.getByRole('link', { name: /^Conversaciones/ }).click();
    const item = page.getByRole('list', { name: 'Lista de conversaciones' }).getByRole('link');
    await expect(item).toHaveCount(1, { timeout: 30_000 });
    await item.click();
    const takeover = page.waitForResponse((r) => r.url().endsWith('/takeover'));
    await page.getByRole('button', { name: 'Tomar el control' }).click();
    expect((await takeover).status()).toBe(200);
    const box = page.getByRole('textbox', { name: /^Responder a/ });
    await box.fill(AGENT_REPLY);
    const sent = page.waitForResponse((r) => r.url().endsWith('/messages') && r.request().method() === 'POST');
    await box.press('Enter');
    expect((await sent).status()).toBe(201);
    await expect(widget.getByText(AGENT_REPLY)).toBeVisible({ timeout: 30_000 });
    await visitor.screenshot({ path: `${SHOTS}/newcomer-visitor.png` });

    // 9. The counts agree with the inbox: one conversation and as many messages as its thread has.
    const list = await page.request.get(`/api/v1/chatbots/${bot.id}/conversations`, { headers: auth });
    const conversations = ((await list.json()) as { data: { id: string }[] }).data;
    expect(conversations).toHaveLength(1);
    const detail = await page.request.get(`/api/v1/conversations/${conversations[0].id}`, { headers: auth });
    const messages = ((await detail.json()) as { messages: { role: string; content: string }[] }).messages.filter((m) => m.role !== 'system');
    expect(messages.map((m) => m.role)).toContain('agent');
    await page.getByRole('link', { name: 'Resumen', exact: true }).click();
    // A counter is its label and, right after it, its value.
    const counter = (label: string) => page.getByText(label, { exact: true }).locator('xpath=following-sibling::div[1]');
    await expect(counter('Conversaciones, últimos 30 días')).toHaveText('1');
    await expect(counter('Mensajes, últimos 30 días')).toHaveText(String(messages.length));
    await page.screenshot({ path: `${SHOTS}/newcomer-overview.png`, fullPage: true });
  } finally {
    await visitorContext.close();
    await site.close();
  }
});
