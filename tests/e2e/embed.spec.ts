/**
 * Issue 4, "Done when": the whole path on the REAL local runtime (not widget.spec.ts's fake API).
 * The dashboard creates a bot with a knowledge base and deploys it; a page served from another
 * origin (a server started inside the test) embeds the script tag of the real /widget.js; a visitor
 * asks, sees a streamed answer with its source, reloads and finds the history, rates it; the team
 * then reads the rating, the feedback and the messages through the API.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type APIRequestContext, type Page, type Response } from '@playwright/test';
import { API_ORIGIN, createOrganization, knowledgeBaseWithDocument, signUp, startCustomerSite } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

const FACT = 'El mirador del faro de Punta Brava abre los domingos a las 07:15 para ver el amanecer.';
const DOC_NAME = 'Visitas al faro';
const KB_NAME = 'Faro de Punta Brava';
const QUESTION = '¿A qué hora abre el mirador del faro los domingos?';

type Auth = Record<string, string>;

/** A knowledge base with one text document, through the API (as chatbots.spec.ts does), ready to be searched. */
async function seedKnowledge(request: APIRequestContext, auth: Auth) {
  return knowledgeBaseWithDocument(request, auth, { name: KB_NAME, description: 'Horarios y visitas' }, { name: DOC_NAME, text: `# Visitas\n\n${FACT}\n\nLa tienda de recuerdos cierra los lunes por descanso.` });
}

/** Signs up and creates an organization through the dashboard; returns the API credentials it got. */
async function dashboardUser(page: Page, name: string, orgName: string): Promise<Auth> {
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, orgName);
  const org = (await (await orgCreated).json()) as { id: string };
  return { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };
}


let site: Awaited<ReturnType<typeof startCustomerSite>>;
let siteOrigin = '';

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await startCustomerSite({
    title: 'Faro de Punta Brava',
    style: 'body { font-family: Georgia, serif; margin: 40px; background: #f5f1e8; color: #2b2b2b; }',
    body: '<h1>Faro de Punta Brava</h1><p id="host-text">Visitas guiadas, mirador y tienda de recuerdos.</p>',
  });
  siteOrigin = site.origin;
  expect(siteOrigin).not.toBe(API_ORIGIN);
});

test.afterAll(async () => {
  await site?.close();
});

test('embed: dashboard bot with knowledge, deployed, answers a visitor on another origin; history, rating and feedback reach the API', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  // 1. The team: account, organization and a knowledge base with the fact.
  const auth = await dashboardUser(page, 'Irene Soto', 'Faro de Punta Brava');
  await seedKnowledge(page.request, auth);

  // 2. The wizard: a bot with that knowledge base and the built-in extractive answerer, then deploy.
  await page.getByRole('link', { name: 'Chatbots', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Chatbots' })).toBeVisible();
  await page.getByRole('button', { name: 'Nuevo chatbot' }).click();
  const wizard = page.getByRole('dialog', { name: 'Nuevo chatbot' });
  await wizard.getByLabel('Nombre', { exact: true }).fill('Farero');
  await wizard.getByLabel(/^Descripción/).fill('Responde sobre visitas y horarios del faro');
  await wizard.getByRole('button', { name: 'Siguiente' }).click();
  await wizard.getByRole('checkbox', { name: new RegExp(KB_NAME) }).check();
  await expect(wizard.getByLabel('Modelo')).toHaveValue('builtin:extractive');
  await wizard.getByRole('button', { name: 'Siguiente' }).click();
  await wizard.getByLabel('Título del widget').fill('Farero de Punta Brava');
  await wizard.getByLabel('Mensaje de bienvenida').fill('¡Hola! Pregúntame por las visitas al faro.');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/chatbots') && r.request().method() === 'POST');
  await wizard.getByRole('button', { name: 'Crear borrador' }).click();
  const createdRes = await created;
  expect(createdRes.status(), await createdRes.text()).toBe(201);
  const bot = (await createdRes.json()) as { id: string; knowledgeBaseIds: string[]; status: string; model: string };
  expect(bot.knowledgeBaseIds).toHaveLength(1);
  expect(bot.status).toBe('draft');
  expect(bot.model).toBe('builtin:extractive');
  await expect(page.getByRole('heading', { level: 1, name: 'Farero' })).toBeVisible();

  const deployed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}/deploy`));
  await page.getByRole('button', { name: 'Desplegar' }).click();
  const deployRes = await deployed;
  expect(deployRes.status(), await deployRes.text()).toBe(200);
  expect(((await deployRes.json()) as { status: string }).status).toBe('active');
  await expect(page.getByText('Activo', { exact: true }).first()).toBeVisible();

  // 3–4. A visitor (own browser context: no dashboard session) on the customer's site.
  const visitorContext = await browser.newContext({ locale: 'es-ES', viewport: { width: 1280, height: 800 } });
  try {
    const visitor = await visitorContext.newPage();
    const widgetCalls: string[] = [];
    visitor.on('request', (r) => {
      if (r.url().startsWith(`${API_ORIGIN}/api/v1/widget/`)) widgetCalls.push(`${r.method()} ${new URL(r.url()).pathname.split('/').pop()}`);
    });
    const hostUrl = `${siteOrigin}/?bot=${bot.id}`;
    const config = visitor.waitForResponse((r) => r.url() === `${API_ORIGIN}/api/v1/widget/${bot.id}/config`);
    const script = visitor.waitForResponse((r) => r.url() === `${API_ORIGIN}/widget.js`);
    await visitor.goto(hostUrl);
    expect((await script).status()).toBe(200);
    const configRes = await config;
    expect(configRes.status()).toBe(200);
    expect(configRes.headers()['access-control-allow-origin']).toBe(siteOrigin);
    expect(await configRes.request().headerValue('origin')).toBe(siteOrigin);

    const launcher = visitor.getByRole('button', { name: 'Abrir chat' });
    await expect(launcher).toBeVisible();
    expect(widgetCalls).toEqual(['GET config']);

    const session = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/session`) && r.request().method() === 'POST');
    await launcher.click();
    const dialog = visitor.getByRole('dialog', { name: 'Farero de Punta Brava' });
    await expect(dialog).toBeVisible();
    const sessionRes = await session;
    expect(sessionRes.status(), await sessionRes.text()).toBe(200);
    const { conversationId } = (await sessionRes.json()) as { conversationId: string };
    await expect(dialog.getByText('Pregúntame por las visitas al faro')).toBeVisible();

    // Record what the panel shows on every DOM change: the typing indicator, then the answer as it fills in.
    await visitor.evaluate((botId) => {
      const root = document.getElementById(`versaai-widget-${botId}`)!.shadowRoot!;
      const answers = () => root.querySelectorAll('.m.a:not([aria-label])');
      const index = answers().length; // the welcome message comes before it
      const seen: string[] = [];
      (window as unknown as { __answerStates: string[] }).__answerStates = seen;
      new MutationObserver(() => {
        const text = answers()[index]?.querySelector('.b')?.textContent ?? '';
        const state = text || (root.querySelector('.m.a[aria-label="Escribiendo…"]') ? '(typing)' : '');
        if (state && seen.at(-1) !== state) seen.push(state);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    }, bot.id);

    const chat = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/chat`) && r.request().method() === 'POST');
    const input = dialog.getByRole('textbox', { name: 'Escribe tu mensaje…' });
    await input.fill(QUESTION);
    await input.press('Enter');
    const chatRes: Response = await chat;
    expect(chatRes.status()).toBe(200);
    expect(chatRes.headers()['content-type']).toContain('text/event-stream');

    const answer = dialog.locator('.m.a').last();
    await expect(dialog.locator('.m.u')).toHaveText(QUESTION);
    await expect(answer).toContainText('07:15', { timeout: 20_000 });
    await expect(answer).toContainText(FACT.replace(/\.$/, ''));
    const chip = answer.locator('.src').getByText(DOC_NAME, { exact: true });
    await expect(chip).toBeVisible();
    await expect(answer.getByRole('button', { name: 'Útil', exact: true })).toBeVisible();

    // Streamed: the body is a sequence of SSE events with many tokens that add up to the stored answer.
    const events = (await chatRes.text())
      .split(/\n\n/)
      .filter(Boolean)
      .map((block) => ({
        event: /^event: (.*)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'),
      }));
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('message');
    expect(kinds.at(-1)).toBe('done');
    expect(kinds).toContain('sources');
    const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text as string);
    expect(tokens.length).toBeGreaterThan(5);
    const done = events.at(-1)!.data.message as { id: string; content: string; sources: { title: string }[] };
    expect(tokens.join('')).toBe(done.content);
    expect(done.sources.map((s) => s.title)).toContain(DOC_NAME);
    // …and the page went through the intermediate state (typing indicator, no answer yet) before the answer.
    // (The extractive answerer emits all its tokens at once, so on loopback they land in one read.)
    const states = await visitor.evaluate(() => (window as unknown as { __answerStates: string[] }).__answerStates);
    expect(states[0], JSON.stringify(states)).toBe('(typing)');
    expect(states.at(-1)).toContain('07:15');
    await expect(answer).toHaveAttribute('data-id', done.id);
    await visitor.screenshot({ path: `${SHOTS}/embed-answer.png` });

    // 5. Reload: the stored session resumes and the history is back.
    await visitor.reload();
    await expect(launcher).toBeVisible();
    await expect(dialog).toBeHidden();
    const resumed = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/session`) && r.request().method() === 'POST');
    await launcher.click();
    const resumedRes = await resumed;
    expect(resumedRes.status()).toBe(200);
    expect(((await resumedRes.json()) as { conversationId: string }).conversationId).toBe(conversationId);
    await expect(dialog.locator('.m.u')).toHaveText(QUESTION);
    const restored = dialog.locator(`[data-id="${done.id}"]`);
    await expect(restored).toContainText('07:15');
    await expect(restored.locator('.src').getByText(DOC_NAME, { exact: true })).toBeVisible();

    // 6. Thumbs up on the answer, then rate the conversation 5 stars.
    const thumbs = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/feedback`));
    await restored.getByRole('button', { name: 'Útil', exact: true }).click();
    expect((await thumbs).status()).toBe(204);
    await expect(restored.getByRole('button', { name: 'Útil', exact: true })).toHaveAttribute('aria-pressed', 'true');

    await dialog.getByRole('button', { name: 'Valora esta conversación' }).click();
    await dialog.getByRole('button', { name: '5 de 5 estrellas' }).click();
    await dialog.getByLabel('Comentario (opcional)').fill('Clarísimo, gracias');
    await visitor.screenshot({ path: `${SHOTS}/embed-history-rating.png` });
    const rated = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/rating`));
    await dialog.getByRole('button', { name: 'Enviar valoración' }).click();
    const ratedRes = await rated;
    expect(ratedRes.status()).toBe(204);
    expect(ratedRes.request().postDataJSON()).toEqual({ rating: 5, comment: 'Clarísimo, gracias' });
    await expect(dialog.getByText('¡Gracias por tu valoración!')).toBeVisible();
    await visitor.screenshot({ path: `${SHOTS}/embed-rated.png` });
  } finally {
    await visitorContext.close();
  }

  // 7. The team sees it all through the API.
  const listRes = await page.request.get(`/api/v1/chatbots/${bot.id}/conversations`, { headers: auth });
  const listBody = await listRes.text();
  expect(listRes.status(), listBody).toBe(200);
  const list = JSON.parse(listBody) as { data: { id: string; channel: string; rating: number | null; feedback: string | null; messageCount: number }[] };
  expect(list.data, listBody).toHaveLength(1);
  const conv = list.data[0];
  expect(conv).toMatchObject({ channel: 'web', rating: 5, feedback: 'Clarísimo, gracias', messageCount: 2 });

  const convRes = await page.request.get(`/api/v1/conversations/${conv.id}`, { headers: auth });
  const convBody = await convRes.text();
  expect(convRes.status(), convBody).toBe(200);
  const full = JSON.parse(convBody) as {
    rating: number;
    messages: { role: string; content: string; feedback: number | null; model?: string | null; sources: { title?: string; documentId?: string }[] }[];
  };
  expect(full.rating).toBe(5);
  expect(full.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  const [question, reply] = full.messages;
  expect(question.content).toBe(QUESTION);
  expect(reply.content).toContain(FACT.replace(/\.$/, ''));
  expect(reply.feedback).toBe(1);
  expect(reply.model).toBe('builtin:extractive');
  expect(reply.sources.length).toBeGreaterThan(0);
  expect(reply.sources.map((s) => s.title)).toContain(DOC_NAME);
});

test('embed: a bot whose allowed origins exclude the site renders nothing there', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const auth = await dashboardUser(page, 'Pablo Ruiz', 'Otra Web');

  // A deployed bot (through the API; the wizard is covered above) that only allows another site.
  const createRes = await page.request.post('/api/v1/chatbots', { headers: auth, data: { name: 'Privado' } });
  expect(createRes.status(), await createRes.text()).toBe(201);
  const bot = (await createRes.json()) as { id: string };
  const deployRes = await page.request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth });
  expect(deployRes.status(), await deployRes.text()).toBe(200);
  const putRes = await page.request.put(`/api/v1/chatbots/${bot.id}/config`, { headers: auth, data: { allowedOrigins: ['https://other.example'] } });
  expect(putRes.status(), await putRes.text()).toBe(200);
  expect(((await putRes.json()) as { allowedOrigins: string[] }).allowedOrigins).toEqual(['https://other.example']);

  // The allowed origin still gets its config: the 403 below is the origin check, not a broken bot.
  const allowed = await page.request.get(`/api/v1/widget/${bot.id}/config`, { headers: { Origin: 'https://other.example' } });
  expect(allowed.status()).toBe(200);
  expect(allowed.headers()['access-control-allow-origin']).toBe('https://other.example');
  const refused = await page.request.get(`/api/v1/widget/${bot.id}/config`, { headers: { Origin: siteOrigin } });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');

  const visitorContext = await browser.newContext({ locale: 'es-ES' });
  try {
    const visitor = await visitorContext.newPage();
    const widgetCalls: string[] = [];
    visitor.on('request', (r) => {
      if (r.url().startsWith(`${API_ORIGIN}/api/v1/widget/`)) widgetCalls.push(`${r.method()} ${new URL(r.url()).pathname.split('/').pop()}`);
    });
    // Playwright reports no response for a CORS-blocked request, so read the protocol events
    // (observation only): the raw status still shows in the "extra info" event.
    const cdp = await visitorContext.newCDPSession(visitor);
    const configUrl = `${API_ORIGIN}/api/v1/widget/${bot.id}/config`;
    const configIds = new Set<string>();
    const statuses = new Map<string, number>();
    const failures = new Map<string, string | undefined>();
    cdp.on('Network.requestWillBeSent', (e) => void (e.request.url === configUrl && configIds.add(e.requestId)));
    cdp.on('Network.responseReceivedExtraInfo', (e) => void statuses.set(e.requestId, e.statusCode));
    cdp.on('Network.loadingFailed', (e) => void failures.set(e.requestId, e.corsErrorStatus?.corsError ?? e.errorText));
    await cdp.send('Network.enable');
    const configReq = visitor.waitForRequest(configUrl);
    await visitor.goto(`${siteOrigin}/?bot=${bot.id}`);
    await configReq;
    const configOutcome = () => [...configIds].map((id) => ({ status: statuses.get(id), failure: failures.get(id) }));
    await expect.poll(configOutcome).toEqual([{ status: 403, failure: 'MissingAllowOriginHeader' }]);
    await expect(visitor.locator('#host-text')).toBeVisible();
    // The script ran (it mounts its element at once) and then gave up and removed itself: no element, no launcher, nothing else asked.
    await expect(visitor.locator('versaai-widget')).toHaveCount(0);
    await expect(visitor.getByRole('button', { name: 'Abrir chat' })).toHaveCount(0);
    expect(await visitor.evaluate(() => typeof (window as unknown as { VersaAI?: { init?: unknown } }).VersaAI?.init)).toBe('function');
    expect(widgetCalls).toEqual(['GET config']);
    await visitor.screenshot({ path: `${SHOTS}/embed-forbidden-origin.png` });
  } finally {
    await visitorContext.close();
  }
});
