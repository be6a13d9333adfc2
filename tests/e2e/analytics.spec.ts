import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createOrganization, signUp } from './helpers';

const UNANSWERED = '¿Hacen envíos a Canarias?';

/** A deployed extractive bot over a one-document knowledge base, through the API. */
async function liveBot(request: APIRequestContext, auth: Record<string, string>) {
  const kb = (await (await request.post('/api/v1/knowledge-bases', { headers: auth, data: { name: 'Tienda' } })).json()) as { id: string };
  const doc = await request.post(`/api/v1/knowledge-bases/${kb.id}/documents`, {
    headers: auth,
    data: { type: 'text', name: 'Horario', text: 'La tienda abre de lunes a sábado de 10:00 a 20:00.' },
  });
  expect(doc.status(), await doc.text()).toBe(202);
  const docId = ((await doc.json()) as { id: string }).id;
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/knowledge-bases/${kb.id}/documents/${docId}`, { headers: auth })).json()) as { status: string }).status, {
      timeout: 30_000,
    })
    .toBe('ready');
  const bot = (await (await request.post('/api/v1/chatbots', { headers: auth, data: { name: 'Sol', model: 'builtin:extractive', knowledgeBaseIds: [kb.id] } })).json()) as {
    id: string;
  };
  expect((await request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth })).status()).toBe(200);
  return bot.id;
}

/** One visitor through the public widget API: their questions, then a rating. */
async function visitor(request: APIRequestContext, botId: string, questions: string[], rating: number) {
  const session = (await (await request.post(`/api/v1/widget/${botId}/session`, { data: {} })).json()) as { sessionToken: string };
  const headers = { Authorization: `Bearer ${session.sessionToken}` };
  for (const message of questions) {
    const chat = await request.post(`/api/v1/widget/${botId}/chat`, { headers, data: { message } });
    expect(chat.status(), await chat.text()).toBe(200);
  }
  expect((await request.post(`/api/v1/widget/${botId}/rating`, { headers, data: { rating } })).status()).toBe(204);
}

test('an admin sees real numbers after widget traffic, exports CSV and fills a knowledge gap', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Lucía Romero' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Tienda Sol');
  const org = (await (await orgCreated).json()) as { id: string };
  const auth = { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };

  const botId = await liveBot(page.request, auth);
  await visitor(page.request, botId, ['¿A qué hora abre la tienda?', UNANSWERED], 5);
  await visitor(page.request, botId, ['¿Abren los sábados?'], 4);
  await visitor(page.request, botId, ['hacen envios a canarias'], 2);

  await page.goto('/analytics');
  await expect(page.getByRole('heading', { level: 1, name: 'Analítica' })).toBeVisible();
  const figures = page.getByRole('region', { name: 'Cifras clave' });
  await expect(figures.getByText('Conversaciones', { exact: true }).locator('..')).toContainText('3');
  await expect(figures.getByText('Mensajes', { exact: true }).locator('..')).toContainText('8');
  await expect(figures.getByText('Satisfacción', { exact: true }).locator('..')).toContainText('3,7 / 5');
  await expect(page.getByText(/hoy hasta ahora: 3 conversaciones, 8 mensajes/)).toBeVisible();
  await expect(page.getByRole('row', { name: /Sol/ })).toContainText('3');

  // The two wordings of the unanswered question are one gap, asked twice.
  const gaps = page.getByRole('list', { name: 'Vacíos de conocimiento' });
  const gap = gaps.getByRole('listitem').filter({ hasText: UNANSWERED });
  await expect(gap).toContainText('2×');
  await expect(gap).toContainText('También preguntada como: “hacen envios a canarias”');

  // CSV export of the same period, one line per day.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exportar CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^versaai-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  expect(csv[0].split(',').slice(0, 4)).toEqual(['day', 'conversations', 'messages', 'userMessages']);
  expect(csv).toHaveLength(31);
  expect(csv.at(-1)!.split(',').slice(1, 3)).toEqual(['3', '8']);

  // Filters narrow the numbers and live in the URL.
  await page.getByLabel('Canal').selectOption('whatsapp');
  await expect(page).toHaveURL(/channel=whatsapp/);
  await expect(page.getByText('No hay conversaciones en este periodo')).toBeVisible();
  await page.getByLabel('Canal').selectOption('');
  await expect(figures.getByText('Conversaciones', { exact: true }).locator('..')).toContainText('3');

  // The admin writes the missing answer into the knowledge base.
  await gap.getByRole('button', { name: 'Añadir a la base de conocimiento' }).click();
  const dialog = page.getByRole('dialog', { name: 'Añadir la respuesta a una base de conocimiento' });
  await expect(dialog.getByLabel('Pregunta')).toHaveValue(UNANSWERED);
  await dialog.getByLabel('Respuesta').fill('Sí, enviamos a Canarias en 3 a 5 días laborables.');
  const added = page.waitForResponse((r) => /\/api\/v1\/knowledge-bases\/[^/]+\/documents$/.test(r.url()) && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Añadir a la base de conocimiento' }).click();
  expect((await added).status()).toBe(202);
  await expect(gap.getByText('Añadida')).toBeVisible();
  const close = page.getByRole('button', { name: 'Cerrar', exact: true });
  while ((await close.count()) > 0) await close.first().click();

  await page.screenshot({ path: 'test-results/analytics.png', fullPage: true });

  // The same page in the dark theme on a phone.
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('heading', { level: 1, name: 'Analítica' })).toBeVisible();
  await page.screenshot({ path: 'test-results/analytics-dark-mobile.png', fullPage: true });
});
