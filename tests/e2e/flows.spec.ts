/**
 * Issue 15: the visual flow editor end to end on the real local runtime. A lead-capture flow is
 * built from the palette (not a template): start → question with buttons → email input (validated)
 * → thank-you message, or a handoff. Publishing is refused while nodes are unreachable (the node is
 * named), then succeeds; a visitor on another origin completes the flow in the widget with the
 * buttons and an email (an invalid one first gets the re-prompt), and a Telegram customer runs the
 * same flow with an inline keyboard (the test platform server). A second test wires an API call
 * node to a test server on loopback and runs it in the editor's test chat.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startFakePlatforms } from '../../functions/testing/fake-platforms';
import { FAKE_PLATFORMS_PORT, FAKE_PLATFORMS_WAIT_MS } from './fake-platforms';
import { canvas, deployedBot, dashboardUser, dragConnect, newFlow, node, panel, selectNode, SHOTS, waitSaved, wire, type Auth } from './flow-helpers';
import { startCustomerSite } from './helpers';

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('flows: a lead-capture flow built from the palette, refused then published, completed in the widget on another origin and over Telegram', async ({ page, browser }) => {
  test.setTimeout(420_000);
  await page.setViewportSize({ width: 1440, height: 1000 });
  const auth = await dashboardUser(page, 'Lucía Campos', 'Viveros Campos');
  const bot = await deployedBot(page, auth, 'Asistente del vivero');
  await newFlow(page, bot.id, 'Captación de leads');

  // Palette: one node dragged onto the canvas, the rest added with a click (both are offered).
  await page.getByRole('button', { name: 'Añadir Pregunta' }).dragTo(canvas(page), { targetPosition: { x: 420, y: 120 } });
  await expect(node(page, 'question_1')).toBeVisible();
  const p = panel(page);
  await p.getByLabel('Pregunta al visitante').fill('¿Qué necesitas?');
  await p.getByLabel('Opción 1', { exact: true }).fill('Presupuesto');
  await p.getByLabel('Opción 2', { exact: true }).fill('Hablar con alguien');
  await expect(node(page, 'question_1').getByText('Presupuesto')).toBeVisible();

  await page.getByRole('button', { name: 'Añadir Dato' }).click();
  await expect(p.getByText('Id: input_1')).toBeVisible();
  await p.getByLabel('Pregunta al visitante').fill('¿Cuál es tu correo electrónico?');
  await expect(p.getByLabel('Validación')).toHaveValue('email');
  await expect(p.getByLabel('Guardar en la variable')).toHaveValue('email');
  await p.getByLabel('Mensaje tras una respuesta no válida').fill('Ese correo no parece válido. Escríbelo de nuevo, por favor.');

  await page.getByRole('button', { name: 'Añadir Mensaje' }).click();
  await expect(p.getByText('Id: message_1')).toBeVisible();
  await p.getByLabel(/^Texto/).fill('¡Gracias! Te enviaremos el presupuesto a {{email}}.');

  await page.getByRole('button', { name: 'Añadir Acción' }).click();
  await expect(p.getByText('Id: action_1')).toBeVisible();
  await expect(p.getByLabel('Acción', { exact: true })).toHaveValue('handoff');

  // Undo/redo: the message text edit goes away and comes back.
  await selectNode(page, 'message_1');
  await page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(node(page, 'action_1')).toHaveCount(0);
  await expect(node(page, 'message_1')).toContainText('¡Hola!');
  await page.keyboard.press('Control+Shift+z');
  await expect(node(page, 'message_1')).toContainText('¡Gracias!');
  await page.keyboard.press('Control+Shift+z');
  await expect(node(page, 'action_1')).toBeVisible();
  await waitSaved(page);

  // Nothing is wired yet: publishing is refused and names the unreachable nodes, on the canvas too.
  const refused = page.waitForResponse((r) => r.url().endsWith('/publish'));
  await page.getByRole('button', { name: 'Publicar' }).click();
  expect((await refused).status()).toBe(422);
  await expect(page.getByText('No se pudo publicar: corrige los errores de abajo.')).toBeVisible();
  await expect(page.getByTestId('flow-issues').getByText('question_1').first()).toBeVisible();
  await expect(node(page, 'question_1').getByRole('note')).toBeVisible();

  // Wire it: start → question by dragging the handle, the rest from the side panel.
  await dragConnect(page, node(page, 'start').locator('.react-flow__handle.source'), node(page, 'question_1').locator('.react-flow__handle.target'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await wire(page, 'question_1', 'Presupuesto', 'input_1');
  await wire(page, 'question_1', 'Hablar con alguien', 'action_1');
  await wire(page, 'question_1', 'No válido', 'action_1');
  await wire(page, 'input_1', 'Siguiente', 'message_1');
  await wire(page, 'input_1', 'No válido', 'action_1');
  await expect(page.locator('.react-flow__edge')).toHaveCount(6);
  await waitSaved(page);

  // The editor's test chat runs the draft: the buttons, then the email prompt.
  await page.getByRole('button', { name: 'Probar', exact: true }).click();
  const testChat = page.getByRole('region', { name: 'Probar el flujo' });
  await testChat.getByRole('button', { name: 'Empezar' }).click();
  await expect(testChat.getByText('¿Qué necesitas?')).toBeVisible();
  await testChat.getByRole('button', { name: 'Presupuesto' }).click();
  await expect(testChat.getByText('¿Cuál es tu correo electrónico?')).toBeVisible();
  await expect(node(page, 'input_1').locator('[data-node-id]')).toHaveClass(/ring-amber-400/);
  await page.screenshot({ path: `${SHOTS}/flows-editor-test.png` });

  const published = page.waitForResponse((r) => r.url().endsWith('/publish'));
  await page.getByRole('button', { name: 'Publicar' }).click();
  const publishRes = await published;
  expect(publishRes.status(), await publishRes.text()).toBe(201);
  await expect(page.getByText('La versión 1 está activa.')).toBeVisible();

  // A bot's first flow is its entry flow (runs for new conversations on every channel); the list says so.
  await page.getByRole('button', { name: 'Todos los flujos' }).click();
  await expect(page.getByText('Publicado v1')).toBeVisible();
  await expect(page.getByText('Flujo de entrada', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Más acciones para Captación de leads' }).click();
  await expect(page.getByRole('menuitem', { name: 'Dejar de usar como flujo de entrada', exact: true })).toBeVisible();
  await page.keyboard.press('Escape');

  // The visitor, on another origin.
  const site = await startCustomerSite({ title: 'Viveros Campos', style: 'body { font-family: sans-serif; margin: 40px; }', body: '<h1>Viveros Campos</h1>' });
  const visitorContext = await browser.newContext({ locale: 'es-ES', viewport: { width: 1280, height: 800 } });
  try {
    const visitor = await visitorContext.newPage();
    const config = visitor.waitForResponse((r) => r.url().includes(`/api/v1/widget/${bot.id}/config`));
    await visitor.goto(`${site.origin}/?bot=${bot.id}`);
    const configRes = await config;
    expect(configRes.status(), await configRes.text()).toBe(200);
    await visitor.getByRole('button', { name: 'Abrir chat' }).click();
    const dialog = visitor.getByRole('dialog', { name: 'Asistente del vivero' });
    const input = dialog.getByRole('textbox', { name: 'Escribe tu mensaje…' });
    // The flow speaks first if the widget starts it on open; otherwise the first message starts it.
    const question = dialog.getByText('¿Qué necesitas?');
    if (!(await question.isVisible().catch(() => false))) {
      await visitor.waitForTimeout(1500);
      if (!(await question.isVisible())) {
        await input.fill('Hola');
        await input.press('Enter');
      }
    }
    await expect(question).toBeVisible();
    await dialog.getByRole('button', { name: 'Presupuesto' }).click();
    await expect(dialog.getByText('¿Cuál es tu correo electrónico?')).toBeVisible();
    await input.fill('esto-no-es-un-correo');
    await input.press('Enter');
    await expect(dialog.getByText('Ese correo no parece válido. Escríbelo de nuevo, por favor.')).toBeVisible();
    await input.fill('lucia@example.com');
    await input.press('Enter');
    await expect(dialog.getByText('¡Gracias! Te enviaremos el presupuesto a lucia@example.com.')).toBeVisible();
    await visitor.screenshot({ path: `${SHOTS}/flows-widget-completed.png` });
  } finally {
    await visitorContext.close();
    await site.close();
  }

  // Analytics on the canvas: the visitor's path is counted.
  await page.getByRole('button', { name: 'Abrir' }).first().click();
  await page.getByRole('button', { name: 'Analítica' }).click();
  await expect(node(page, 'message_1').getByTestId('node-stats')).toContainText('1 llegaron');

  // The same published flow over a channel: Telegram, through the test platform server.
  await completeOverTelegram(page, auth, bot.id);
});

const TELEGRAM_TOKEN = '123123123:AAFlowsOverTelegramTestTokenForTheE2eSuite';

/**
 * A Telegram customer runs the bot's published entry flow: the question's options arrive as an
 * inline keyboard, a tap comes back as a callback_query with the button's id, the email is
 * validated with the same re-prompt, and the thank-you message has the variable filled in.
 */
async function completeOverTelegram(page: Page, auth: Auth, botId: string) {
  // Other spec files use the same fixed port for the fake platforms: wait our turn on it.
  const fake = await startFakePlatforms({ port: FAKE_PLATFORMS_PORT, waitForPortMs: FAKE_PLATFORMS_WAIT_MS });
  try {
    const created = await page.request.post('/api/v1/integrations', { headers: auth, data: { platform: 'telegram', name: 'Telegram', botId, credentials: { botToken: TELEGRAM_TOKEN } } });
    expect(created.status(), await created.text()).toBe(201);
    const integration = (await created.json()) as { id: string };
    const connected = await page.request.post(`/api/v1/integrations/${integration.id}/connect`, { headers: auth });
    expect(connected.status(), await connected.text()).toBe(200);
    const webhook = new URL(((await connected.json()) as { webhook: { url: string } }).webhook.url).pathname;
    const secret = fake.telegramWebhook(TELEGRAM_TOKEN)!.secretToken;
    const chat = { id: 777000222, first_name: 'Ana', type: 'private' };
    let updateId = 900000;
    const deliver = async (update: Record<string, unknown>) => {
      const res = await page.request.post(webhook, { data: { update_id: ++updateId, ...update }, headers: { 'X-Telegram-Bot-Api-Secret-Token': secret } });
      expect(res.status(), await res.text()).toBe(200);
    };
    const say = (text: string) => deliver({ message: { message_id: updateId, from: { id: chat.id, is_bot: false, first_name: 'Ana' }, chat, date: Math.floor(Date.now() / 1000), text } });
    const sentTexts = () => fake.sent().map((r) => String(r.body.text ?? ''));

    await say('Hola');
    const [question] = await fake.waitForSent(1, 20_000);
    expect(question.body.text).toContain('¿Qué necesitas?');
    const keyboard = (question.body.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }).inline_keyboard.flat();
    expect(keyboard.map((b) => b.text)).toEqual(['Presupuesto', 'Hablar con alguien']);

    const budget = keyboard.find((b) => b.text === 'Presupuesto')!;
    await deliver({
      callback_query: {
        id: 'cbq-flow-1',
        from: { id: chat.id, is_bot: false, first_name: 'Ana' },
        message: { message_id: 5001, chat, date: Math.floor(Date.now() / 1000), text: question.body.text, reply_markup: question.body.reply_markup },
        data: budget.callback_data,
      },
    });
    await expect.poll(sentTexts, { timeout: 20_000 }).toContain('¿Cuál es tu correo electrónico?');
    await say('esto-no-es-un-correo');
    await expect.poll(sentTexts, { timeout: 20_000 }).toContain('Ese correo no parece válido. Escríbelo de nuevo, por favor.');
    await say('ana@example.com');
    await expect.poll(sentTexts, { timeout: 20_000 }).toContain('¡Gracias! Te enviaremos el presupuesto a ana@example.com.');
    // The tap was acknowledged, so Telegram stops the button's spinner.
    expect(fake.requests.some((r) => r.endpoint === 'answerCallbackQuery' && r.body?.callback_query_id === 'cbq-flow-1')).toBe(true);
  } finally {
    await fake.close();
  }
}

test('flows: an API call node reaches a test server and its mapped field reaches the reply; a failing call takes the error output', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 1000 });
  const ORDERS_TOKEN = 'tok_orders_9f8e7d6c5b4a';
  const api = createServer((req, res) => {
    // The flow authenticates with the organization's secret, which the test server checks.
    if (req.headers.authorization !== `Bearer ${ORDERS_TOKEN}`) return void res.writeHead(401).end('no token');
    if (req.url === '/orders/42') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ order: { status: 'enviado' } }));
    res.writeHead(500).end('boom');
  });
  await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  try {
    const auth = await dashboardUser(page, 'Tomás Vidal', 'Envíos Vidal');
    const bot = await deployedBot(page, auth, 'Seguimiento');

    // Settings → Secrets: the token goes in once and never comes back.
    await page.goto('/settings');
    await page.getByRole('link', { name: 'Secretos' }).click();
    await expect(page.getByText('Aún no hay secretos')).toBeVisible();
    await page.getByLabel('Nombre').fill('ORDERS_TOKEN');
    await page.getByLabel('Valor').fill(ORDERS_TOKEN);
    await page.getByRole('button', { name: 'Guardar secreto' }).click();
    await expect(page.getByText('Secreto «ORDERS_TOKEN» guardado.')).toBeVisible();
    await expect(page.getByText('ORDERS_TOKEN', { exact: true })).toBeVisible();
    expect(await page.content()).not.toContain(ORDERS_TOKEN);

    await newFlow(page, bot.id, 'Estado del pedido');
    const p = panel(page);

    await page.getByRole('button', { name: 'Añadir Llamada a API' }).click();
    await expect(p.getByText('Id: api_call_1')).toBeVisible();
    await p.getByLabel('URL (admite {{variables}})').fill(`${origin}/orders/42`);
    await p.getByLabel('Autenticación').selectOption('bearer');
    await p.getByLabel(/^Nombre del secreto/).fill('ORDERS_TOKEN');
    await p.getByRole('button', { name: '+ Añadir' }).last().click();
    await p.getByLabel('Ruta JSON (p. ej. items.0.name)').fill('order.status');
    await p.getByLabel('Variable', { exact: true }).last().fill('estado');

    await page.getByRole('button', { name: 'Añadir Mensaje' }).click();
    await p.getByLabel(/^Texto/).fill('Tu pedido está: {{estado}}');
    await page.getByRole('button', { name: 'Añadir Mensaje' }).click();
    await expect(p.getByText('Id: message_2')).toBeVisible();
    await p.getByLabel(/^Texto/).fill('No pudimos consultar el pedido.');

    await wire(page, 'start', 'Siguiente', 'api_call_1');
    await wire(page, 'api_call_1', 'Éxito', 'message_1');
    await wire(page, 'api_call_1', 'Error', 'message_2');
    await waitSaved(page);

    await page.getByRole('button', { name: 'Probar', exact: true }).click();
    const testChat = page.getByRole('region', { name: 'Probar el flujo' });
    await testChat.getByRole('button', { name: 'Empezar' }).click();
    await expect(testChat.getByText('Tu pedido está: enviado')).toBeVisible();

    // A failing call takes the error output (selecting a node brings its panel back; the chat is kept).
    await selectNode(page, 'api_call_1');
    await p.getByLabel('URL (admite {{variables}})').fill(`${origin}/orders/0`);
    await page.getByRole('button', { name: 'Probar', exact: true }).click();
    await testChat.getByRole('button', { name: 'Reiniciar' }).click();
    await expect(testChat.getByText('No pudimos consultar el pedido.')).toBeVisible();
  } finally {
    await new Promise((done) => api.close(done));
  }
});
