/**
 * The inbox, live, on the real local runtime: a visitor writes through the real widget embedded
 * on another origin; the message shows up in /conversations without a reload; the agent takes
 * over, answers with a canned response (which reaches the widget live), leaves a private note
 * (which does not), and resolves. A second visitor asking for a person rings the bell.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { createOrganization, knowledgeBaseWithDocument, signUp, startCustomerSite } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../test-results');

const FACT = 'La ruta en kayak por las cuevas de Lobeira sale cada sábado a las 10:30 desde el muelle norte.';
const QUESTION = '¿A qué hora sale la ruta en kayak el sábado?';

type Auth = Record<string, string>;

async function dashboardUser(page: Page, name: string, orgName: string): Promise<Auth> {
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, orgName);
  const org = (await (await orgCreated).json()) as { id: string };
  return { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };
}

/** A knowledge base with one text document, ready; then a bot on it, deployed. All through the API. */
async function deployedBot(request: APIRequestContext, auth: Auth, name: string, withKnowledge: boolean) {
  const knowledgeBaseIds: string[] = [];
  if (withKnowledge) {
    const { kb } = await knowledgeBaseWithDocument(request, auth, { name: 'Excursiones', description: 'Rutas y horarios' }, { name: 'Rutas en kayak', text: `# Rutas\n\n${FACT}\n\nLos chalecos salvavidas están incluidos en el precio.` });
    knowledgeBaseIds.push(kb.id);
  }
  const createRes = await request.post('/api/v1/chatbots', { headers: auth, data: { name, knowledgeBaseIds } });
  expect(createRes.status(), await createRes.text()).toBe(201);
  const bot = (await createRes.json()) as { id: string };
  const deployRes = await request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth });
  expect(deployRes.status(), await deployRes.text()).toBe(200);
  return bot;
}


let site: Awaited<ReturnType<typeof startCustomerSite>>;
let siteOrigin = '';

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await startCustomerSite({
    title: 'Kayak Lobeira',
    style: 'body { font-family: system-ui, sans-serif; margin: 40px; background: #eef6f7; color: #1f2d33; }',
    body: '<h1>Kayak Lobeira</h1><p>Rutas guiadas por las cuevas.</p>',
  });
  siteOrigin = site.origin;
});

test.afterAll(async () => {
  await site?.close();
});

/** A visitor in their own browser context (no dashboard session) with the widget open. */
async function openWidget(browser: Browser, botId: string, botName: string) {
  const context = await browser.newContext({ locale: 'es-ES', viewport: { width: 1000, height: 760 } });
  const visitor = await context.newPage();
  await visitor.goto(`${siteOrigin}/?bot=${botId}`);
  await visitor.getByRole('button', { name: 'Abrir chat' }).click();
  const widget = visitor.getByRole('dialog', { name: botName });
  await expect(widget).toBeVisible();
  return { context, visitor, widget, input: widget.getByRole('textbox', { name: 'Escribe tu mensaje…' }) };
}

test('inbox: a visitor message arrives live; the agent takes over, replies (live in the widget), adds a note and resolves', async ({ page, browser }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  const auth = await dashboardUser(page, 'Lucía Romero', 'Kayak Lobeira');
  const bot = await deployedBot(page.request, auth, 'Guía Lobeira', true);
  const canned = await page.request.post('/api/v1/canned-responses', {
    headers: auth,
    data: { shortcut: 'saludo', content: 'Hola, soy Lucía del equipo de Kayak Lobeira. Te reservo plaza para el sábado.' },
  });
  expect(canned.status(), await canned.text()).toBe(201);

  // The inbox before anyone writes: the designed empty state.
  await page.goto('/conversations');
  await expect(page.getByRole('heading', { level: 1, name: 'Conversaciones' })).toBeVisible();
  await expect(page.getByText('Aún no hay conversaciones')).toBeVisible();
  await expect(page.getByRole('link', { name: /Ir a chatbots/ })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'En directo' })).toBeAttached();
  await page.screenshot({ path: `${SHOTS}/inbox-empty.png` });
  // Marks this document: if the page reloaded, the mark would be gone.
  await page.evaluate(() => ((window as unknown as { __inboxMark: number }).__inboxMark = 42));

  const { context, visitor, widget, input } = await openWidget(browser, bot.id, 'Guía Lobeira');
  try {
    await input.fill(QUESTION);
    await input.press('Enter');
    await expect(widget.locator('.m.a').last()).toContainText('10:30', { timeout: 20_000 });

    // Live: the conversation shows up in the list, unread, without a reload.
    const list = page.getByRole('list', { name: 'Lista de conversaciones' });
    const item = list.getByRole('link');
    await expect(item).toHaveCount(1, { timeout: 15_000 });
    await expect(item).toContainText('10:30');
    await expect(item.getByLabel(/sin leer/)).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __inboxMark?: number }).__inboxMark)).toBe(42);

    // Open it: the thread has the question and the bot's answer with its source; it gets marked read.
    const read = page.waitForResponse((r) => r.url().endsWith('/read') && r.request().method() === 'POST');
    await item.click();
    expect((await read).status()).toBe(204);
    await expect(item.getByLabel(/sin leer/)).toHaveCount(0);
    const thread = page.getByRole('log', { name: /^Mensajes con/ });
    await expect(thread.locator('[data-role="user"]')).toContainText(QUESTION);
    const answer = thread.locator('[data-role="assistant"]').last();
    await expect(answer).toContainText('10:30');
    await answer.getByText('1 fuente').click();
    await expect(answer.getByText('Rutas en kayak')).toBeVisible();
    await expect(page.getByTestId('answering')).toHaveText('Responde el bot Guía Lobeira');

    // Take over: the strip says who answers now.
    const takeover = page.waitForResponse((r) => r.url().endsWith('/takeover'));
    await page.getByRole('button', { name: 'Tomar el control' }).click();
    expect((await takeover).status()).toBe(200);
    await expect(page.getByTestId('answering')).toHaveText('Respondes tú');
    await expect(page.getByRole('button', { name: 'Devolver al bot' })).toBeVisible();

    // Reply with a canned response: "/" opens the list, Enter inserts, Enter sends.
    const box = page.getByRole('textbox', { name: /^Responder a/ });
    await box.click();
    await box.pressSequentially('/sal');
    const option = page.getByRole('option', { name: /\/saludo/ });
    await expect(option).toBeVisible();
    await expect(option).toHaveAttribute('aria-selected', 'true');
    await box.press('Enter');
    await expect(box).toHaveValue('Hola, soy Lucía del equipo de Kayak Lobeira. Te reservo plaza para el sábado.');
    await box.press('Shift+Enter');
    await box.pressSequentially('¿Cuántas personas sois?');
    const sent = page.waitForResponse((r) => r.url().endsWith('/messages') && r.request().method() === 'POST');
    await box.press('Enter');
    const sentRes = await sent;
    expect(sentRes.status(), await sentRes.text()).toBe(201);
    expect(sentRes.request().postDataJSON()).toEqual({
      content: 'Hola, soy Lucía del equipo de Kayak Lobeira. Te reservo plaza para el sábado.\n¿Cuántas personas sois?',
    });
    await expect(box).toHaveValue('');
    const agentMessage = thread.locator('[data-role="agent"]').last();
    await expect(agentMessage).toContainText('Te reservo plaza');
    await expect(agentMessage).toContainText('Lucía Romero');

    // The visitor sees it live in the widget.
    await expect(widget.locator('.m.a').filter({ hasText: 'Te reservo plaza para el sábado' })).toBeVisible({ timeout: 15_000 });

    // A private note: highlighted for the team, never sent to the visitor.
    await page.getByRole('button', { name: 'Nota privada' }).click();
    const noteBox = page.getByRole('textbox', { name: 'Nota privada' });
    await noteBox.fill('Cliente habitual: ofrecer descuento de grupo.');
    await noteBox.press('Enter');
    await expect(thread.locator('[data-role="note"]')).toContainText('Cliente habitual');
    await expect(thread.locator('[data-role="note"]')).toContainText('Nota privada · Lucía Romero');

    // The visitor answers; it arrives live in the open thread.
    await input.fill('Somos cuatro, gracias');
    await input.press('Enter');
    await expect(thread.locator('[data-role="user"]').last()).toContainText('Somos cuatro', { timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/inbox-agent.png` });
    await page.evaluate(() => document.documentElement.classList.add('dark'));
    await page.screenshot({ path: `${SHOTS}/inbox-agent-dark.png` });
    await page.evaluate(() => document.documentElement.classList.remove('dark'));
    await expect(widget.getByText('Cliente habitual')).toHaveCount(0);
    await visitor.screenshot({ path: `${SHOTS}/inbox-visitor.png` });

    // Details: tags and priority, saved through the API.
    await page.getByRole('button', { name: 'Mostrar detalles' }).click();
    const details = page.getByRole('complementary', { name: 'Detalles' });
    await details.getByLabel('Prioridad').selectOption('high');
    await details.getByRole('textbox', { name: 'Añadir una etiqueta' }).fill('reserva');
    await details.getByRole('textbox', { name: 'Añadir una etiqueta' }).press('Enter');
    await expect(details.getByText('#reserva')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/inbox-details.png` });
    await details.getByRole('button', { name: 'Ocultar detalles' }).click();

    // Resolve.
    const resolved = page.waitForResponse((r) => /\/api\/v1\/conversations\/[0-9a-f-]+$/.test(r.url()) && r.request().method() === 'PUT' && r.request().postDataJSON()?.status === 'resolved');
    await page.getByRole('button', { name: 'Resolver' }).click();
    expect((await resolved).status()).toBe(200);
    await expect(page.getByRole('main').locator('span').getByText('Resuelta', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Reabrir' })).toBeVisible();
    // It leaves the Open folder.
    await expect(list.getByRole('link')).toHaveCount(0);

    const id = new URL(page.url()).pathname.split('/').pop()!;
    const convRes = await page.request.get(`/api/v1/conversations/${id}`, { headers: auth });
    const conv = (await convRes.json()) as { status: string; priority: string; tags: string[]; handoff: string; messages: { role: string }[] };
    expect(conv).toMatchObject({ status: 'resolved', priority: 'high', tags: ['reserva'], handoff: 'bot' });
    // The system line is the widget's "Lucía joined the conversation".
    expect(conv.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'system', 'agent', 'note', 'user']);
    expect(await page.evaluate(() => (window as unknown as { __inboxMark?: number }).__inboxMark)).toBe(42);

    // The Resolved status shows it again.
    await page.getByLabel('Estado', { exact: true }).first().selectOption('resolved');
    await expect(list.getByRole('link')).toHaveCount(1);
    await page.screenshot({ path: `${SHOTS}/inbox-resolved.png` });

    // Canned responses are managed from the inbox (inside "Filtros" below the widest screens).
    await page.getByRole('button', { name: 'Filtros' }).click();
    await page.getByRole('dialog', { name: 'Filtros' }).getByRole('button', { name: 'Respuestas rápidas' }).click();
    const cannedDialog = page.getByRole('dialog', { name: 'Respuestas rápidas' });
    await expect(cannedDialog.getByText('/saludo')).toBeVisible();
    await cannedDialog.getByRole('button', { name: 'Nueva respuesta rápida' }).click();
    const form = page.getByRole('dialog', { name: 'Nueva respuesta rápida' });
    await form.getByLabel('Atajo').fill('/Horario');
    await form.getByLabel('Mensaje').fill('Salimos cada sábado a las 10:30 desde el muelle norte.');
    await form.getByRole('button', { name: 'Crear' }).click();
    await expect(cannedDialog.getByText('/horario')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/inbox-canned.png` });
    await cannedDialog.getByRole('button', { name: 'Eliminar /horario' }).click();
    await page.getByRole('dialog', { name: '¿Eliminar /horario?' }).getByRole('button', { name: 'Eliminar' }).click();
    await expect(cannedDialog.getByText('/horario')).toHaveCount(0);
    await cannedDialog.getByRole('button', { name: 'Listo' }).click();
    await expect(cannedDialog).toBeHidden();

    // Wide screens: folders and filters on the left, the details panel open beside the thread.
    await page.setViewportSize({ width: 1920, height: 1000 });
    await expect(page.getByRole('complementary', { name: 'Detalles' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Carpetas' }).getByRole('link', { name: /Esperan a una persona/ })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/inbox-wide.png` });

    // Phone: list and conversation are separate screens.
    await page.setViewportSize({ width: 390, height: 800 });
    await expect(page.getByRole('link', { name: 'Volver a conversaciones' })).toBeVisible();
    await expect(list).toBeHidden();
    await page.screenshot({ path: `${SHOTS}/inbox-mobile-thread.png` });
    await page.getByRole('link', { name: 'Volver a conversaciones' }).click();
    await expect(list.getByRole('link')).toHaveCount(1);
    await page.screenshot({ path: `${SHOTS}/inbox-mobile-list.png` });
  } finally {
    await context.close();
  }
});

test('inbox: a visitor asking for a person rings the bell', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  const auth = await dashboardUser(page, 'Mario Vidal', 'Kayak Sur');
  const bot = await deployedBot(page.request, auth, 'Guía Sur', false);

  await page.goto('/conversations');
  await expect(page.getByRole('heading', { level: 1, name: 'Conversaciones' })).toBeVisible();
  const bell = page.getByRole('button', { name: /^Esperan a una persona/ });
  await expect(bell).toHaveAccessibleName('Esperan a una persona');

  const { context, widget, input } = await openWidget(browser, bot.id, 'Guía Sur');
  try {
    await input.fill('Quiero hablar con una persona');
    await input.press('Enter');
    await expect(widget.locator('.m.a').last()).toContainText(/persona/, { timeout: 20_000 });

    // The bell counts it, an alert pops up, and the list marks it: all without a reload.
    await expect(bell).toHaveAccessibleName('Esperan a una persona: 1', { timeout: 15_000 });
    await expect(bell.getByTestId('handoff-badge')).toHaveText('1');
    await expect(page.getByText(/quiere hablar con una persona/)).toBeVisible();
    const item = page.getByRole('list', { name: 'Lista de conversaciones' }).getByRole('link');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Pide una persona');

    await bell.click();
    const popover = page.getByRole('dialog', { name: 'Esperan a una persona' });
    await expect(popover.getByRole('link', { name: /Visitante/ })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/inbox-bell.png` });
    await popover.getByRole('link', { name: /Visitante/ }).click();
    await expect(page.getByTestId('answering')).toHaveText('Espera a una persona');
    await expect(page.getByText('El visitante pidió hablar con una persona.')).toBeVisible();

    await page.getByRole('button', { name: 'Tomar el control' }).first().click();
    await expect(page.getByTestId('answering')).toHaveText('Respondes tú');
    await expect(bell).toHaveAccessibleName('Esperan a una persona');
    await expect(bell.getByTestId('handoff-badge')).toHaveCount(0);
  } finally {
    await context.close();
  }
});
