import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of the platform APIs we call, on loopback, for tests, the benchmark and the browser
 * tests: Meta's Graph API (WhatsApp Cloud API, Messenger/Instagram Send API, account reads,
 * subscribed_apps) and Telegram's Bot API. It records every request and answers like the real
 * ones, including their error shapes; tests script failures (`respond`) and refused tokens
 * (`rejectToken`). Point META_GRAPH_API_URL and TELEGRAM_API_URL at `url`.
 */
export interface RecordedRequest {
  api: 'meta' | 'telegram';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: any;
  /** Telegram: the method name (sendMessage…); Meta: the Graph path without the version. */
  endpoint: string;
  /** The token the request carried (Bearer for Meta, in the path for Telegram). */
  token: string | null;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Scripted {
  matches: (request: RecordedRequest) => boolean;
  response: FakeResponse;
  remaining: number;
}

export interface FakePlatforms {
  url: string;
  requests: RecordedRequest[];
  /** Messages sent to customers (WhatsApp messages, Send API, sendMessage), in order. */
  sent(): RecordedRequest[];
  /** Answer matching requests with `response`, `times` times (default: until `reset`). */
  respond(match: { endpoint?: RegExp | string; api?: 'meta' | 'telegram' }, response: FakeResponse, times?: number): void;
  /** Requests with this token are refused the way each platform refuses an expired or revoked token. */
  rejectToken(token: string): void;
  /** What `GET /me` answers for a Page access token (Messenger's connect check). */
  setPage(token: string, page: { id: string; name: string }): void;
  /** The last setWebhook a Telegram bot made. */
  telegramWebhook(botToken: string): { url: string; secretToken: string } | undefined;
  /** Read receipts and typing indicators (WhatsApp `status: read`, Meta `sender_action`, Telegram `sendChatAction`). */
  signals(): RecordedRequest[];
  /** What the template list answers for a WhatsApp Business Account. */
  setTemplates(templates: unknown[]): void;
  /** What the user profile API answers for a Messenger PSID or an Instagram IGSID. */
  setProfile(userId: string, profile: Record<string, unknown>): void;
  /** Resolves when `count` messages have been sent (or rejects after `timeoutMs`). */
  waitForSent(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  reset(): void;
  close(): Promise<void>;
}

export const OUTAGE: FakeResponse = { status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, is_transient: true } } };

const SEND_ENDPOINTS = /^(sendMessage|me\/messages|\d+\/messages)$/;
/** Read receipts and typing indicators go to the same endpoints but are not messages. */
const isSignal = (r: RecordedRequest) => r.body?.status === 'read' || typeof r.body?.sender_action === 'string';

/** What `GET /{waba-id}/message_templates` lists unless a test sets its own (`setTemplates`). */
export const FAKE_TEMPLATES = [
  {
    id: '1001',
    name: 'order_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is on its way.' },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
    ],
  },
  { id: '1002', name: 'hello_again', language: 'es', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: '¡Hola! ¿Seguimos hablando?' }] },
];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: FakeResponse) {
  res.writeHead(response.status, { 'Content-Type': 'application/json', ...response.headers });
  res.end(JSON.stringify(response.body));
}

export async function startFakePlatforms(options: { port?: number } = {}): Promise<FakePlatforms> {
  const requests: RecordedRequest[] = [];
  let scripted: Scripted[] = [];
  let rejected = new Set<string>();
  let pages = new Map<string, { id: string; name: string }>();
  let webhooks = new Map<string, { url: string; secretToken: string }>();
  let waiters: Array<() => void> = [];
  let counter = 0;

  let templates: unknown[] = FAKE_TEMPLATES;
  let profiles = new Map<string, Record<string, unknown>>();
  const sentRequests = () => requests.filter((r) => SEND_ENDPOINTS.test(r.endpoint) && r.method === 'POST' && !isSignal(r));
  const signalRequests = () => requests.filter((r) => (SEND_ENDPOINTS.test(r.endpoint) && isSignal(r)) || r.endpoint === 'sendChatAction');

  function meta(request: RecordedRequest): FakeResponse {
    if (request.token && rejected.has(request.token)) {
      return { status: 401, body: { error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'FAKE' } } };
    }
    const [first, second] = request.endpoint.split('/');
    if (request.method === 'POST' && isSignal(request)) return { status: 200, body: first === 'me' ? { recipient_id: request.body?.recipient?.id } : { success: true } };
    if (request.method === 'GET' && second === 'message_templates') return { status: 200, body: { data: templates, paging: { cursors: { before: 'a', after: 'b' } } } };
    if (request.method === 'GET' && /^\d+$/.test(first) && !second && /profile_pic/.test(request.query.fields ?? '')) {
      const profile = profiles.get(first);
      return profile ? { status: 200, body: { id: first, ...profile } } : { status: 400, body: { error: { message: `Unsupported get request. Object with ID '${first}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33 } } };
    }
    if (request.method === 'POST' && second === 'messages' && first === 'me') {
      counter += 1;
      return { status: 200, body: { recipient_id: request.body?.recipient?.id, message_id: `m_FAKE${counter}` } };
    }
    if (request.method === 'POST' && second === 'messages') {
      counter += 1;
      return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: request.body?.to, wa_id: request.body?.to }], messages: [{ id: `wamid.FAKE${counter}` }] } };
    }
    if (request.method === 'POST' && second === 'subscribed_apps') return { status: 200, body: { success: true } };
    if (request.method === 'GET' && first === 'me') return { status: 200, body: pages.get(request.token ?? '') ?? { id: '1', name: 'Fake page' } };
    if (request.method === 'GET' && /^\d+$/.test(first) && !second) {
      return { status: 200, body: { id: first, display_phone_number: '+1 555-010-0000', verified_name: 'Fake Business', username: 'fake_shop', name: 'Fake Shop' } };
    }
    return { status: 400, body: { error: { message: `Unsupported request ${request.method} ${request.endpoint}`, type: 'GraphMethodException', code: 100 } } };
  }

  function telegram(request: RecordedRequest): FakeResponse {
    const token = request.token ?? '';
    if (rejected.has(token)) return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    const botId = Number(token.split(':')[0]);
    switch (request.endpoint) {
      case 'getMe':
        return ok({ id: botId, is_bot: true, first_name: 'Fake bot', username: `fake${botId}_bot` });
      case 'setWebhook':
        webhooks.set(token, { url: request.body?.url, secretToken: request.body?.secret_token });
        return ok(true);
      case 'deleteWebhook':
        webhooks.delete(token);
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: webhooks.get(token)?.url ?? '', has_custom_certificate: false, pending_update_count: 0 });
      case 'sendMessage':
        counter += 1;
        return ok({ message_id: 10_000 + counter, date: Math.floor(Date.now() / 1000), chat: { id: Number(request.body?.chat_id) }, text: request.body?.text });
      case 'answerCallbackQuery':
      case 'sendChatAction':
        return ok(true);
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found: method not found' } };
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = await readBody(req);
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const telegramMatch = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
    const request: RecordedRequest = telegramMatch
      ? { api: 'telegram', method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, endpoint: telegramMatch[2], token: decodeURIComponent(telegramMatch[1]) }
      : { api: 'meta', method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, endpoint: url.pathname.replace(/^\/v\d+\.\d+\//, ''), token: bearer };
    requests.push(request);
    const script = scripted.find((s) => s.remaining > 0 && s.matches(request));
    if (script) {
      script.remaining -= 1;
      send(res, script.response);
    } else {
      send(res, request.api === 'telegram' ? telegram(request) : meta(request));
    }
    const current = waiters;
    waiters = [];
    current.forEach((wake) => wake());
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    sent: sentRequests,
    signals: signalRequests,
    setTemplates: (list) => void (templates = list),
    setProfile: (userId, profile) => void profiles.set(userId, profile),
    respond(match, response, times = Number.POSITIVE_INFINITY) {
      scripted.push({
        matches: (r) =>
          (!match.api || r.api === match.api) &&
          (match.endpoint === undefined || (typeof match.endpoint === 'string' ? r.endpoint === match.endpoint : match.endpoint.test(r.endpoint))),
        response,
        remaining: times,
      });
    },
    rejectToken: (token) => void rejected.add(token),
    setPage: (token, page) => void pages.set(token, page),
    telegramWebhook: (botToken) => webhooks.get(botToken),
    async waitForSent(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (sentRequests().length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} sent messages, got ${sentRequests().length}`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
      return sentRequests();
    },
    reset() {
      requests.length = 0;
      scripted = [];
      rejected = new Set();
      pages = new Map();
      webhooks = new Map();
      templates = FAKE_TEMPLATES;
      profiles = new Map();
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
