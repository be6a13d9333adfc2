import { expect, test } from '@playwright/test';
import { dashboardTeam, deployedBot, visitorAsks } from './channel-helpers';
import { startCustomerSite } from './helpers';

/**
 * The reply box's paperclip is offered only where a file can reach someone. An API conversation
 * (a customer's own app talking through the OpenAI-compatible endpoint) has nobody to hand a file
 * to: no paperclip, and the server refuses one sent anyway. A widget conversation has the visitor:
 * the paperclip is there, and a document the agent attaches shows in the visitor's widget as a
 * download with the same bytes. (An image into the widget: channel-files.spec.ts.)
 */
let site: Awaited<ReturnType<typeof startCustomerSite>>;

test.beforeAll(async () => {
  site = await startCustomerSite({
    title: 'Tienda Sol',
    style: 'body { font-family: system-ui, sans-serif; margin: 40px; background: #f4f7fb; }',
    body: '<h1>Tienda Sol</h1><p>Ropa de temporada.</p>',
  });
});
test.afterAll(async () => {
  await site?.close();
});

/** A small but real PDF: its text is what the visitor's download must give back. */
const SIZE_GUIDE = Buffer.from('%PDF-1.4\n% Guía de tallas: S 36-38, M 40-42, L 44-46\n%%EOF\n', 'utf8');

test('an API conversation offers no paperclip, and the server refuses a file there', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  const team = await dashboardTeam(page);
  const bot = await deployedBot(page, team);

  // The shop's own app asks through the OpenAI-compatible endpoint with a chat key.
  const keyRes = await page.request.post('/api/v1/api-keys', { headers: team.auth, data: { name: 'App de la tienda', scopes: ['chat'] } });
  expect(keyRes.status(), await keyRes.text()).toBe(201);
  const { key } = (await keyRes.json()) as { key: string };
  const completion = await page.request.post('/api/v1/openai/chat/completions', {
    headers: { Authorization: `Bearer ${key}` },
    data: { model: bot.id, user: 'cliente-app-42', messages: [{ role: 'user', content: '¿Hacéis envíos a Canarias?' }] },
  });
  expect(completion.status(), await completion.text()).toBe(200);
  const { conversationId } = ((await completion.json()) as { versaai: { conversationId: string } }).versaai;

  await page.goto(`/conversations/${conversationId}`);
  await expect(page.getByText('¿Hacéis envíos a Canarias?').first()).toBeVisible();
  const replyBox = page.getByRole('textbox', { name: /Responder a/ });
  await expect(replyBox).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enviar' })).toBeVisible();
  await expect(page.getByLabel('Enviar un archivo')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Enviar un archivo' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/reply-box-api.png' });

  // The box can still answer in text; a file sent around the UI is refused in the one error shape.
  const refused = await page.request.post(`/api/v1/conversations/${conversationId}/attachments`, {
    headers: team.auth,
    multipart: { file: { name: 'guia-de-tallas.pdf', mimeType: 'application/pdf', buffer: SIZE_GUIDE } },
  });
  expect(refused.status()).toBe(400);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('bad_request');
});

test('a widget conversation offers the paperclip, and a document the agent attaches reaches the visitor', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  const team = await dashboardTeam(page);
  const bot = await deployedBot(page, team);
  const { context, visitor, conversationId } = await visitorAsks(browser, site, bot, '¿Qué talla de camiseta me corresponde?');
  try {
    await page.goto(`/conversations/${conversationId}`);
    await expect(page.getByText('¿Qué talla de camiseta me corresponde?').first()).toBeVisible();
    const paperclip = page.getByRole('button', { name: 'Enviar un archivo' });
    await expect(paperclip).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/reply-box-widget.png' });

    // A private note goes to colleagues only: no file there.
    await page.getByRole('button', { name: 'Nota privada' }).click();
    await expect(paperclip).toHaveCount(0);
    await page.getByRole('button', { name: 'Responder', exact: true }).click();
    await expect(paperclip).toBeVisible();

    const uploaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/attachments`));
    await page.getByLabel('Enviar un archivo').setInputFiles({ name: 'guia-de-tallas.pdf', mimeType: 'application/pdf', buffer: SIZE_GUIDE });
    const sent = await uploaded;
    expect(sent.status(), await sent.text()).toBe(201);
    await expect(page.getByText('guia-de-tallas.pdf').first()).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/reply-box-widget-sent.png' });

    // The visitor sees it live as a download with its name and size, and gets the same bytes.
    const download = visitor.getByRole('link', { name: /guia-de-tallas\.pdf/ });
    await expect(download).toBeVisible({ timeout: 20_000 });
    await expect(download).toHaveAttribute('href', /^blob:/);
    const bytes = await download.evaluate(async (a: HTMLAnchorElement) => Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer())));
    expect(Buffer.from(bytes).equals(SIZE_GUIDE)).toBe(true);
    await visitor.screenshot({ path: 'test-results/screenshots/reply-box-widget-visitor.png' });
  } finally {
    await context.close();
  }
});
