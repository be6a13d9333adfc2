/**
 * The embeddable widget (dist/web/widget.js, built by `npm run build:widget`, which `test:e2e`
 * runs through `npm run build`) on a host page with hostile CSS, talking to a fake widget API on
 * another origin that implements the public contract: config, session, chat (SSE), feedback,
 * rating, and a 404 for the optional events stream.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const WIDGET_JS = resolve(import.meta.dirname, '../../dist/web/widget.js');
const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');
const BOT = 'bot_test';
const FORM_BOT = 'bot_form';

const QUESTION = '¿Cuál es el plazo de devolución?';
const TOKENS_BEFORE_HOLD = ['Tienes ', '**30 días**', ' para devolver'];
const TOKENS_AFTER_HOLD = [
  ' tu pedido. Mira [la política](https://shop.example/returns).\n\n',
  '- Sin coste\n- Con ticket\n\n',
  'Nota: <img src=x onerror="window.__xss=1">',
];
const UNKNOWN = '¿Vendéis bicis?';
const OFFER = { es: [{ id: 'handoff.yes', label: 'Sí, con una persona' }, { id: 'handoff.no', label: 'No, gracias' }] };
const SOURCE = { title: 'Política de devoluciones', url: 'https://shop.example/returns', documentId: 'doc1', chunkId: 'c1', score: 0.91, page: 2 };

interface Msg {
  id: string;
  role: 'user' | 'assistant' | 'agent' | 'system';
  content: string;
  createdAt: string;
  sources?: (typeof SOURCE)[];
  feedback?: 1 | -1 | null;
  quickReplies?: Array<{ id: string; label: string }>;
  author?: { name: string };
}

/** The fake widget API; every request is recorded so tests can assert what was (not) sent. */
function fakeApi() {
  const requests: { method: string; path: string; auth?: string; body?: any }[] = [];
  const conversations = new Map<string, { id: string; messages: Msg[] }>();
  const feedback: any[] = [];
  const ratings: any[] = [];
  let hold: Promise<void> | null = null;
  let failNextChat = false;
  let liveEvents = false;
  const pushed = new Map<string, Array<{ event: string; data: unknown }>>();
  let busyChats = 0;
  let busyIn: 'status' | 'stream' = 'status';
  let lateAnswers = 0;
  let seq = 0;
  const id = (p: string) => `${p}_${++seq}`;

  const json = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    json(res, status, { error: { code, message, requestId: id('req') } });
  const readBody = async (req: IncomingMessage) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    return raw ? JSON.parse(raw) : undefined;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    requests.push({ method: req.method!, path: url.pathname, auth: req.headers.authorization, body });

    if (url.pathname === '/widget.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      return res.end(readFileSync(WIDGET_JS));
    }
    const m = /^\/api\/v1\/widget\/([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m || (m[1] !== BOT && m[1] !== FORM_BOT)) return error(res, 404, 'not_found', 'Chatbot not found');
    const conv = conversations.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));

    switch (`${req.method} ${m[2]}`) {
      case 'GET config':
        return json(res, 200, {
          botId: BOT,
          name: 'Asistente Tienda',
          language: 'es',
          welcomeMessage: '¡Hola! 👋 Soy el asistente de **Tienda**. ¿En qué te ayudo?',
          online: true,
          outOfHoursMessage: null,
          widget: { title: 'Tienda Demo', primaryColor: '#0f766e', position: 'bottom-right', theme: 'light' },
          preChatForm:
            m[1] === FORM_BOT
              ? [
                  { key: 'name', label: 'Nombre', type: 'text', required: true },
                  { key: 'email', label: 'Correo', type: 'email', required: true },
                  { key: 'topic', label: 'Tema', type: 'select', required: false, options: ['Pedidos', 'Devoluciones'] },
                ]
              : [],
          requireIdentity: false,
        });
      case 'POST session': {
        let token = body?.sessionToken;
        if (token && !conversations.has(token)) return error(res, 401, 'unauthorized', 'Session expired');
        if (!token) conversations.set((token = id('tok')), { id: id('conv'), messages: [] });
        const c = conversations.get(token)!;
        return json(res, 200, { sessionToken: token, conversationId: c.id, contact: { name: null, email: null, verified: false }, messages: c.messages });
      }
      case 'POST chat': {
        if (!conv) return error(res, 401, 'unauthorized', 'Bad session');
        if (busyChats > 0) {
          // What an overloaded server answers: nothing stored, come back after Retry-After.
          busyChats--;
          if (busyIn === 'stream') {
            // The edge's overload: the stream had started (200) when the database refused.
            res.writeHead(200, { 'Content-Type': 'text/event-stream' });
            return res.end(`event: error\ndata: ${JSON.stringify({ code: 'overloaded', message: 'The service is busy right now; try again in a moment', retryAfterSeconds: 1 })}\n\n`);
          }
          res.setHeader('Retry-After', '1');
          res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
          return error(res, 503, 'overloaded', 'The assistant is busy right now; send the message again in a moment');
        }
        if (lateAnswers > 0) {
          // Stored, then the answer failed: the server queued it, and it comes on the events stream.
          lateAnswers--;
          const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
          const question: Msg = { id: id('msg'), role: 'user', content: body?.message ?? '', createdAt: new Date().toISOString() };
          conv.messages.push(question);
          res.writeHead(200, { 'Content-Type': 'text/event-stream' });
          res.write(`event: message\ndata: ${JSON.stringify(question)}\n\n`);
          res.end(`event: error\ndata: ${JSON.stringify({ code: 'internal_error', message: 'The answer was interrupted; it will arrive here shortly', answerQueued: true })}\n\n`);
          const answer = { id: id('msg'), role: 'assistant', content: 'Respuesta tardía: abrimos el sábado de 10 a 14.', createdAt: new Date().toISOString(), sources: [], feedback: null };
          setTimeout(() => pushed.set(token, [...(pushed.get(token) ?? []), { event: 'message', data: answer }]), 1500);
          return;
        }
        if (failNextChat) {
          // Cut the connection mid-answer. (Resetting it before any response is not enough:
          // Chromium silently retries a request whose reused keep-alive connection was reset.)
          failNextChat = false;
          res.writeHead(200, { 'Content-Type': 'text/event-stream' });
          res.write(`event: token\ndata: ${JSON.stringify({ text: 'Un moment' })}\n\n`);
          return setTimeout(() => res.destroy(), 50);
        }
        const text: string = body?.message ?? '';
        if (text.length > 2000) return error(res, 422, 'validation_error', 'Message too long');
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        const user: Msg = { id: id('msg'), role: 'user', content: text, createdAt: new Date().toISOString() };
        conv.messages.push(user);
        send('message', user);
        if (text === UNKNOWN || body?.quickReply) {
          const content = body?.quickReply === 'handoff.yes' ? 'Te paso con una persona del equipo.' : 'No encuentro esa información. ¿Quieres que te atienda una persona?';
          const reply: Msg = { id: id('msg'), role: 'assistant', content, createdAt: new Date().toISOString(), sources: [], feedback: null, ...(text === UNKNOWN ? { quickReplies: OFFER.es } : {}) };
          conv.messages.push(reply);
          send('token', { text: content });
          send('done', { message: reply });
          if (body?.quickReply === 'handoff.yes') {
            const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
            pushed.set(token, [
              { event: 'message', data: { id: id('msg'), role: 'agent', content: 'Hola, soy Ana. ¿En qué te ayudo?', createdAt: new Date().toISOString(), sources: [], feedback: null, author: { name: 'Ana' } } },
              { event: 'status', data: { status: 'open', handoff: 'bot', changes: ['handoff'] } },
            ]);
          }
          return res.end();
        }
        const isQuestion = text === QUESTION;
        const before = isQuestion ? TOKENS_BEFORE_HOLD : [`Recibido: ${text}`];
        for (const t of before) send('token', { text: t });
        if (isQuestion && hold) await hold;
        const after = isQuestion ? TOKENS_AFTER_HOLD : [];
        for (const t of after) send('token', { text: t });
        const sources = isQuestion ? [SOURCE] : [];
        if (sources.length) send('sources', { sources });
        const answer: Msg = { id: id('msg'), role: 'assistant', content: [...before, ...after].join(''), createdAt: new Date().toISOString(), sources, feedback: null };
        conv.messages.push(answer);
        send('done', { message: answer });
        return res.end();
      }
      case 'POST feedback': {
        if (!conv) return error(res, 401, 'unauthorized', 'Bad session');
        const msg = conv.messages.find((x) => x.id === body.messageId);
        if (msg) msg.feedback = body.value;
        feedback.push(body);
        return json(res, 204);
      }
      case 'POST rating':
        if (!conv) return error(res, 401, 'unauthorized', 'Bad session');
        ratings.push(body);
        return json(res, 204);
      case 'GET events': {
        if (!liveEvents) return error(res, 404, 'not_found', 'Not found');
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write('event: ready\ndata: {}\n\n');
        let n = 0;
        const timer = setInterval(() => {
          for (const item of pushed.get(token)?.splice(0) ?? []) res.write(`id: ${++n}-0\nevent: ${item.event}\ndata: ${JSON.stringify(item.data)}\n\n`);
        }, 50);
        req.on('close', () => clearInterval(timer));
        return;
      }
      default:
        // The widget must tolerate the events stream not existing yet.
        return error(res, 404, 'not_found', 'Not found');
    }
  });

  return {
    server,
    requests,
    feedback,
    ratings,
    /** Holds the next streamed answer after its first tokens until the returned function is called. */
    holdStream() {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
    failNextChat: () => void (failNextChat = true),
    /** Serve the events stream (agents' replies pushed after a handoff) instead of a 404. */
    liveEvents: (on: boolean) => void (liveEvents = on),
    /** The next `count` chat requests are refused as overloaded, retry after 1 s: by a 503, or by an `error` event in a started stream. */
    busyChats: (count: number, how: 'status' | 'stream' = 'status') => {
      busyChats = count;
      busyIn = how;
    },
    /** The next `count` chat requests store the question, then end in `answerQueued`; the answer follows on the events stream. */
    lateAnswers: (count: number) => void (lateAnswers = count),
    /** Requests to one endpoint, optionally only those after `since` (an index into `requests`). */
    calls: (kind: string, since = 0) => requests.slice(since).filter((r) => r.path.endsWith(`/${kind}`)),
  };
}

const HOSTILE_CSS = `
  * { all: unset; font-size: 40px !important; font-family: "Comic Sans MS", cursive !important; }
  button { display: none !important; }
  div, section, dialog, [role] { transform: rotate(3deg) !important; opacity: .5 !important; }
  style, script { display: none !important; }
  body { display: block; margin: 20px; }
  p { display: block; }
`;

function hostServer(apiOrigin: string) {
  return createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const botId = url.pathname === '/form' ? FORM_BOT : BOT;
    const scripts =
      url.pathname === '/missing'
        ? `<script src="${apiOrigin}/widget.js"></script>
           <script>window.__errors = []; VersaAI.init({ botId: 'missing' }).on('error', (e) => window.__errors.push(e));</script>`
        : `<script src="${apiOrigin}/widget.js" data-bot-id="${botId}" async></script>`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="es"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Tienda Demo</title><style>${HOSTILE_CSS}</style></head>
      <body><p id="host-text">Página de una tienda cualquiera, con CSS hostil.</p>${scripts}</body></html>`);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let api: ReturnType<typeof fakeApi>;
let hostUrl = '';
let host: Server;

test.beforeAll(async () => {
  expect(existsSync(WIDGET_JS), 'dist/web/widget.js is missing: run `npm run build:widget` (test:e2e does it)').toBe(true);
  mkdirSync(SHOTS, { recursive: true });
  api = fakeApi();
  const apiOrigin = await listen(api.server);
  host = hostServer(apiOrigin);
  hostUrl = await listen(host);
});

test.afterAll(async () => {
  api.server.closeAllConnections();
  host.closeAllConnections();
  await Promise.all([new Promise((r) => api.server.close(r)), new Promise((r) => host.close(r))]);
});

/** Runs inside the page: facts about the widget's shadow DOM that locators cannot express. */
function shadow<T>(page: Page, fn: (root: ShadowRoot) => T): Promise<T> {
  return page.evaluate(
    ([src, bot]) => {
      const root = document.getElementById(`versaai-widget-${bot}`)?.shadowRoot;
      if (!root) throw new Error('widget not mounted');
      return new Function('root', `return (${src})(root)`)(root);
    },
    [fn.toString(), BOT] as const,
  );
}

const focusInDialog = (page: Page) => shadow(page, (root) => !!root.activeElement?.closest('[role=dialog]'));

test('widget: script tag, isolation, streaming, markdown, sources, feedback, history, rating, keyboard', async ({ page }) => {
  const before = api.requests.length;
  const launcher = page.getByRole('button', { name: 'Abrir chat' });
  await page.goto(hostUrl);
  await expect(launcher).toBeVisible();
  await expect(launcher).toHaveAttribute('aria-expanded', 'false');

  // Only the script and its config before the visitor asks for anything.
  expect(api.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /widget.js', `GET /api/v1/widget/${BOT}/config`]);

  // Hostile CSS reaches neither the launcher nor the widget's text.
  const box = (await launcher.boundingBox())!;
  expect(Math.round(box.width)).toBe(56);
  expect(await page.locator('#host-text').evaluate((el) => getComputedStyle(el).fontSize)).toBe('40px');

  await launcher.click();
  const dialog = page.getByRole('dialog', { name: 'Tienda Demo' });
  await expect(dialog).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cerrar chat' }).first()).toHaveAttribute('aria-expanded', 'true');
  expect(await focusInDialog(page)).toBe(true);
  await expect.poll(() => api.calls('session', before).length).toBe(1);
  expect(api.calls('session', before)[0].body).toEqual({});
  await expect(dialog.getByText('Soy el asistente de Tienda')).toBeVisible();
  expect(await shadow(page, (root) => getComputedStyle(root.querySelector('.b')!).fontSize)).toBe('14px');
  expect(await shadow(page, (root) => root.querySelector('[role=log]')!.getAttribute('aria-live'))).toBe('polite');

  // Tab cycles inside the dialog.
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    expect(await focusInDialog(page)).toBe(true);
  }

  // Ask: the answer streams in token by token.
  const release = api.holdStream();
  const input = dialog.getByRole('textbox', { name: 'Escribe tu mensaje…' });
  await input.fill(QUESTION);
  await input.press('Enter');
  await expect(dialog.locator('.m.u')).toHaveText(QUESTION);
  const answer = dialog.locator('.m.a').last();
  await expect(answer).toContainText('Tienes 30 días para devolver');
  await expect(answer).not.toContainText('la política');
  await expect(answer.getByRole('button', { name: 'Útil' })).toHaveCount(0);
  await expect(answer.locator('strong')).toHaveText('30 días');
  release();

  await expect(answer).toContainText('la política');
  const link = answer.locator('.b a');
  await expect(link).toHaveText('la política');
  await expect(link).toHaveAttribute('href', 'https://shop.example/returns');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(answer.locator('li')).toHaveText(['Sin coste', 'Con ticket']);
  // The <img onerror> in the reply is text, not an element.
  await expect(answer).toContainText('<img src=x onerror="window.__xss=1">');
  expect(await shadow(page, (root) => root.querySelectorAll('img, script').length)).toBe(0);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  const source = answer.locator('.src a');
  await expect(source).toHaveText('Política de devoluciones · p. 2');
  await expect(source).toHaveAttribute('href', 'https://shop.example/returns');

  // Chat was authorised with the session token; feedback too.
  const token = await page.evaluate((k) => localStorage.getItem(k), `versaai:${BOT}:session`);
  expect(token).toMatch(/^tok_/);
  expect(api.calls('chat', before)[0].auth).toBe(`Bearer ${token}`);
  const answerId = await answer.getAttribute('data-id');
  await answer.getByRole('button', { name: 'Útil', exact: true }).click();
  await expect.poll(() => api.feedback).toEqual([{ messageId: answerId, value: 1 }]);
  await expect(answer.getByRole('button', { name: 'Útil', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: `${SHOTS}/widget-desktop-open.png` });

  // Reload: nothing but config until the launcher is clicked, then the stored session resumes.
  const sessionsBefore = api.calls('session', before).length;
  await page.reload();
  await expect(launcher).toBeVisible();
  expect(api.calls('session', before).length).toBe(sessionsBefore);
  await launcher.click();
  await expect.poll(() => api.calls('session', before).length).toBe(sessionsBefore + 1);
  expect(api.calls('session', before).at(-1)!.body).toEqual({ sessionToken: token });
  await expect(dialog.locator('.m.u')).toHaveText(QUESTION);
  const restored = dialog.locator(`[data-id="${answerId}"]`);
  await expect(restored.locator('.b a')).toHaveText('la política');
  await expect(restored.locator('.src a')).toHaveText('Política de devoluciones · p. 2');
  await expect(restored.getByRole('button', { name: 'Útil', exact: true })).toHaveAttribute('aria-pressed', 'true');

  // Rate the conversation 1–5.
  await dialog.getByRole('button', { name: 'Valora esta conversación' }).click();
  await dialog.getByRole('button', { name: '4 de 5 estrellas' }).click();
  await dialog.getByLabel('Comentario (opcional)').fill('Muy útil');
  await page.screenshot({ path: `${SHOTS}/widget-desktop-rating.png` });
  await dialog.getByRole('button', { name: 'Enviar valoración' }).click();
  await expect.poll(() => api.ratings).toEqual([{ rating: 4, comment: 'Muy útil' }]);
  await expect(dialog.getByText('¡Gracias por tu valoración!')).toBeVisible();

  // Escape closes and gives focus back to the launcher.
  await input.focus();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(launcher).toHaveAttribute('aria-expanded', 'false');
  expect(await shadow(page, (root) => root.activeElement?.getAttribute('aria-label'))).toBe('Abrir chat');

  // The events stream answered 404 and the widget stayed quiet about it.
  expect(api.calls('events', before).length).toBeGreaterThan(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('widget: failed send offers Retry; too-long message shows an inline error', async ({ page }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'Abrir chat' }).click();
  const dialog = page.getByRole('dialog');
  const input = dialog.getByRole('textbox');

  api.failNextChat();
  await input.fill('hola');
  await input.press('Enter');
  const failed = dialog.locator('.m.u').last();
  await expect(failed.getByRole('alert')).toContainText('No enviado.');
  await failed.getByRole('button', { name: 'Reintentar' }).click();
  await expect(dialog.getByText('Recibido: hola')).toBeVisible();
  await expect(failed.getByRole('alert')).toHaveCount(0);

  await input.fill('x'.repeat(2001));
  await input.press('Enter');
  await expect(dialog.locator('.m.u').last().getByRole('alert')).toHaveText('Tu mensaje es demasiado largo.');
  await expect(dialog.getByRole('button', { name: 'Reintentar' })).toHaveCount(0);
});

test('widget: a busy server (503 + Retry-After) gets the same message again, without the visitor doing anything', async ({ page }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'Abrir chat' }).click();
  const dialog = page.getByRole('dialog');
  const input = dialog.getByRole('textbox');
  const before = api.calls('chat').length;

  api.busyChats(2);
  await input.fill('¿hay envío gratis?');
  await input.press('Enter');
  const sent = dialog.locator('.m.u').last();
  await expect(sent.getByRole('status')).toHaveText('Estamos ocupados ahora mismo; lo enviamos de nuevo en un momento…');
  await expect(dialog.getByText('Recibido: ¿hay envío gratis?')).toBeVisible();
  await expect(sent.getByRole('status')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  const chats = api.calls('chat').slice(before);
  expect(chats.map((c) => c.body.message)).toEqual(['¿hay envío gratis?', '¿hay envío gratis?', '¿hay envío gratis?']);
});

test('widget: a stream that ends in "overloaded" before storing the question is sent again too', async ({ page }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'Abrir chat' }).click();
  const dialog = page.getByRole('dialog');
  const input = dialog.getByRole('textbox');
  const before = api.calls('chat').length;

  api.busyChats(1, 'stream');
  await input.fill('¿abrís el sábado?');
  await input.press('Enter');
  await expect(dialog.getByText('Recibido: ¿abrís el sábado?')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  const chats = api.calls('chat').slice(before);
  expect(chats.map((c) => c.body.message)).toEqual(['¿abrís el sábado?', '¿abrís el sábado?']);
});

test('widget: an answer that failed after the question was stored is awaited, not sent twice', async ({ page }) => {
  api.liveEvents(true);
  try {
    await page.goto(hostUrl);
    await page.getByRole('button', { name: 'Abrir chat' }).click();
    const dialog = page.getByRole('dialog');
    const input = dialog.getByRole('textbox');
    const before = api.calls('chat').length;
    api.lateAnswers(1);
    await input.fill('¿y el sábado?');
    await input.press('Enter');
    const sent = dialog.locator('.m.u').last();
    await expect(sent.getByRole('status')).toHaveText('Recibido. La respuesta aparecerá aquí en un momento.');
    await expect(dialog.getByRole('button', { name: 'Reintentar' })).toHaveCount(0);
    await expect(dialog.getByText('Respuesta tardía: abrimos el sábado de 10 a 14.')).toBeVisible();
    await expect(sent.getByRole('status')).toHaveCount(0);
    expect(api.calls('chat').slice(before)).toHaveLength(1);
  } finally {
    api.liveEvents(false);
  }
});

test.describe('mobile', () => {
  test.use({ viewport: { width: 375, height: 700 } });

  test('widget: the panel is full screen under 480px', async ({ page }) => {
    await page.goto(hostUrl);
    await page.getByRole('button', { name: 'Abrir chat' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText('Soy el asistente de Tienda')).toBeVisible();
    expect(await dialog.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 700 });
    await page.screenshot({ path: `${SHOTS}/widget-mobile-open.png` });
    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Abrir chat' })).toBeVisible();
  });
});

test('widget: init twice mounts once, destroy removes it, an inactive bot renders nothing', async ({ page }) => {
  await page.goto(hostUrl);
  await expect(page.getByRole('button', { name: 'Abrir chat' })).toBeVisible();
  const result = await page.evaluate((botId) => {
    const V = (window as any).VersaAI;
    const a = V.init({ botId });
    const b = V.init({ botId });
    return { same: a === b, mounted: document.querySelectorAll('versaai-widget').length };
  }, BOT);
  expect(result).toEqual({ same: true, mounted: 1 });

  const events = await page.evaluate(async () => {
    const V = (window as any).VersaAI;
    const seen: string[] = [];
    V.on('open', () => seen.push('open'));
    V.on('close', () => seen.push('close'));
    V.open();
    V.close();
    V.destroy();
    return { seen, mounted: document.querySelectorAll('versaai-widget').length };
  });
  expect(events).toEqual({ seen: ['open', 'close'], mounted: 0 });
  await expect(page.getByRole('button', { name: 'Abrir chat' })).toHaveCount(0);

  await page.goto(`${hostUrl}/missing`);
  await expect.poll(() => page.evaluate(() => (window as any).__errors)).toEqual([{ code: 'not_found', message: 'Chatbot not found', status: 404 }]);
  expect(await page.locator('versaai-widget').count()).toBe(0);
});

test('widget: the pre-chat form comes before the first message and creates the session', async ({ page }) => {
  const before = api.requests.length;
  await page.goto(`${hostUrl}/form`);
  await page.getByRole('button', { name: 'Abrir chat' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: 'Antes de empezar' })).toBeVisible();
  await expect(dialog.getByRole('textbox', { name: 'Escribe tu mensaje…' })).toBeHidden();
  expect(await dialog.getByLabel('Nombre').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
  expect(api.calls('session', before)).toHaveLength(0);

  await dialog.getByRole('button', { name: 'Empezar chat' }).click();
  await expect(dialog.getByText('Este campo es obligatorio')).toHaveCount(2);
  await dialog.getByLabel('Nombre').fill('Ana');
  await dialog.getByLabel('Correo').fill('no-es-un-correo');
  await dialog.getByRole('button', { name: 'Empezar chat' }).click();
  await expect(dialog.getByText('Introduce un correo válido')).toBeVisible();
  await dialog.getByLabel('Correo').fill('ana@example.test');
  await dialog.getByLabel('Tema').selectOption('Devoluciones');
  await page.screenshot({ path: `${SHOTS}/widget-desktop-prechat.png` });
  await dialog.getByRole('button', { name: 'Empezar chat' }).click();

  const input = dialog.getByRole('textbox', { name: 'Escribe tu mensaje…' });
  await expect(input).toBeFocused();
  expect(api.calls('session', before).map((r) => r.body)).toEqual([{ preChat: { name: 'Ana', email: 'ana@example.test', topic: 'Devoluciones' } }]);
  await expect(dialog.getByRole('heading', { name: 'Antes de empezar' })).toHaveCount(0);
  await input.fill('hola');
  await input.press('Enter');
  await expect(dialog.getByText('Recibido: hola')).toBeVisible();
});

test('widget: the offer of a person has buttons; "Sí" hands off; the agent shows by name; the assistant\u2019s return is announced', async ({ page }) => {
  api.liveEvents(true);
  try {
    await page.goto(hostUrl);
    await page.getByRole('button', { name: 'Abrir chat' }).click();
    const dialog = page.getByRole('dialog');
    const input = dialog.getByRole('textbox', { name: 'Escribe tu mensaje…' });
    await input.fill(UNKNOWN);
    await input.press('Enter');
    const yes = dialog.getByRole('button', { name: 'Sí, con una persona' });
    await expect(yes).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'No, gracias' })).toBeVisible();
    const before = api.requests.length;
    await yes.click();
    await expect.poll(() => api.calls('chat', before).map((r) => r.body)).toEqual([{ message: 'Sí, con una persona', quickReply: 'handoff.yes' }]);
    await expect(dialog.getByText('Te paso con una persona del equipo.')).toBeVisible();
    // The buttons are gone once answered.
    await expect(dialog.getByRole('button', { name: 'Sí, con una persona' })).toHaveCount(0);

    const agent = dialog.locator('.m.a', { hasText: 'Hola, soy Ana' });
    await expect(agent.locator('.who')).toHaveText('AAna');
    await expect(agent.getByRole('button', { name: 'Útil', exact: true })).toHaveCount(0);
    await expect(dialog.getByText('El asistente virtual retoma la conversación')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/widget-handoff.png` });
  } finally {
    api.liveEvents(false);
  }
});

test('widget: cited sources are links that open in a new tab', async ({ page }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'Abrir chat' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox').fill(QUESTION);
  await dialog.getByRole('textbox').press('Enter');
  const link = dialog.locator('.m.a').last().locator('.src a');
  await expect(link).toHaveText('Política de devoluciones · p. 2');
  await expect(link).toHaveAttribute('href', 'https://shop.example/returns');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
});
