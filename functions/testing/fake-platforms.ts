import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeMedia, readMultipart, type FakeMedia } from './fake-media';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';

/**
 * A fake of the platform APIs we call, on loopback, for tests, the benchmark and the browser
 * tests: Meta's Graph API (WhatsApp Cloud API, Messenger/Instagram Send API, account reads,
 * subscribed_apps), Telegram's Bot API, Slack's Web API (with its file upload flow) and Discord's
 * REST API (multipart Create Message) and Gateway. It records every request and answers like the
 * real ones, including their error shapes; tests script failures (`respond`) and refused tokens
 * (`rejectToken`). Point META_GRAPH_API_URL, TELEGRAM_API_URL, SLACK_API_URL and DISCORD_API_URL at `url`.
 */
export interface RecordedRequest {
  api: 'meta' | 'telegram' | 'slack' | 'discord';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: any;
  /** Telegram and Slack: the method name (sendMessage, chat.postMessage…); Meta: the Graph path without the version; Discord: the path after /api/v10/. */
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
  /** Files customers send (WhatsApp media ids, Telegram file ids, Messenger CDN URLs) and uploads (fake-media.ts). */
  media: FakeMedia;
  /** Messages sent to customers (WhatsApp messages, Send API, sendMessage, sendPhoto…), in order. */
  sent(): RecordedRequest[];
  /** Answer matching requests with `response`, `times` times (default: until `reset`). */
  respond(match: { endpoint?: RegExp | string; api?: RecordedRequest['api'] }, response: FakeResponse, times?: number): void;
  /** Requests with this token are refused the way each platform refuses an expired or revoked token. */
  rejectToken(token: string): void;
  /** What `GET /me` answers for a Page access token (Messenger's connect check). */
  setPage(token: string, page: { id: string; name: string }): void;
  /** The last setWebhook a Telegram bot made. */
  telegramWebhook(botToken: string): { url: string; secretToken: string } | undefined;
  /** Read receipts and typing indicators (WhatsApp `status: read`, Meta `sender_action`, Telegram `sendChatAction`, Discord `channels/{id}/typing`). */
  signals(): RecordedRequest[];
  /** What the template list answers for a WhatsApp Business Account. */
  setTemplates(templates: unknown[]): void;
  /** What the user profile API answers for a Messenger PSID or an Instagram IGSID; for a Slack user id, the `user` object `users.info` answers. */
  setProfile(userId: string, profile: Record<string, unknown>): void;
  /** Resolves when `count` messages have been sent (or rejects after `timeoutMs`). */
  waitForSent(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Discord's Gateway on `${wsUrl}`: what bots sent (IDENTIFY, RESUME, heartbeats) and a way to push events. */
  gateway: FakeDiscordGateway;
  wsUrl: string;
  /** Which application a Discord bot token belongs to (`GET /applications/@me`). */
  setDiscordApp(botToken: string, applicationId: string): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeDiscordGateway {
  /** Every payload clients sent, in order. */
  received: Array<{ op: number; d: any }>;
  /** How many sockets are open now. */
  connections(): number;
  /** A MESSAGE_CREATE to every identified (or resumed) connection; returns its sequence number. */
  dispatch(type: string, data: unknown): number;
  /** Close every socket the way Discord does before asking for a resume (4000, unknown error). */
  dropAll(code?: number): void;
  /** Resolves when a payload with this op has arrived `count` times. */
  waitFor(op: number, count?: number, timeoutMs?: number): Promise<void>;
}

export const OUTAGE: FakeResponse = { status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, is_transient: true } } };

const SEND_ENDPOINTS = /^(sendMessage|sendPhoto|sendDocument|sendAudio|sendVideo|me\/messages|\d+\/messages|chat\.postMessage|files\.completeUploadExternal|channels\/\d+\/messages|webhooks\/\d+\/[^/]+)$/;
/** Discord's upload limit for bots in a server without boosts (10 MiB); above it, 413 and code 40005. */
const DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024;
const DISCORD_TYPING = /^channels\/\d+\/typing$/;
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: FakeResponse) {
  res.writeHead(response.status, { 'Content-Type': 'application/json', ...response.headers });
  res.end(JSON.stringify(response.body));
}

/**
 * Listens on `port`; while another holder has it (EADDRINUSE), tries again until `waitMs` passed.
 * The browser suite's server reaches the platforms at one fixed port, so spec files that need the
 * fake take turns on it instead of failing when Playwright runs them side by side.
 */
async function listenWhenFree(server: Server, port: number, waitMs: number) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', fail);
          done();
        });
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() >= deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function startFakePlatforms(options: { port?: number; waitForPortMs?: number } = {}): Promise<FakePlatforms> {
  const requests: RecordedRequest[] = [];
  let scripted: Scripted[] = [];
  let rejected = new Set<string>();
  let pages = new Map<string, { id: string; name: string }>();
  let webhooks = new Map<string, { url: string; secretToken: string }>();
  let waiters: Array<() => void> = [];
  let counter = 0;
  let url = '';
  let discordApps = new Map<string, string>();

  let templates: unknown[] = FAKE_TEMPLATES;
  let profiles = new Map<string, Record<string, unknown>>();
  const sentRequests = () => requests.filter((r) => SEND_ENDPOINTS.test(r.endpoint) && r.method === 'POST' && !isSignal(r));
  const signalRequests = () => requests.filter((r) => (SEND_ENDPOINTS.test(r.endpoint) && isSignal(r)) || r.endpoint === 'sendChatAction' || DISCORD_TYPING.test(r.endpoint));

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
      case 'sendPhoto':
      case 'sendDocument':
      case 'sendAudio':
      case 'sendVideo':
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

  const fakeMedia = createFakeMedia(() => url);
  function slack(request: RecordedRequest): FakeResponse {
    if (!request.token || rejected.has(request.token)) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    switch (request.endpoint) {
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake Team', user: 'fakebot', team_id: 'T0FAKE', user_id: 'U0FAKEBOT', bot_id: 'B0FAKE' } };
      case 'users.info': {
        // A read method: the user id in the query string, as Slack takes it.
        const user = profiles.get(request.query.user ?? '');
        return { status: 200, body: user ? { ok: true, user: { id: request.query.user, ...user } } : { ok: false, error: 'user_not_found' } };
      }
      case 'chat.postMessage':
        counter += 1;
        return { status: 200, body: { ok: true, channel: request.body?.channel, ts: `1700000000.${String(counter).padStart(6, '0')}`, message: { text: request.body?.text } } };
      case 'files.getUploadURLExternal': {
        const length = Number(request.body?.length);
        if (!request.body?.filename || !Number.isInteger(length) || length <= 0) return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
        const { fileId, uploadUrl } = fakeMedia.reserveSlackUpload(String(request.body.filename), length);
        return { status: 200, body: { ok: true, upload_url: uploadUrl, file_id: fileId } };
      }
      case 'files.completeUploadExternal':
        return completeSlackUpload(request.body);
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }

  /** Shares uploaded files: every id must have been reserved and its bytes posted; a thread needs a channel. */
  function completeSlackUpload(body: any): FakeResponse {
    const files = typeof body?.files === 'string' ? JSON.parse(body.files) : body?.files;
    if (!Array.isArray(files) || files.length === 0 || (body.thread_ts && !body.channel_id)) return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
    const uploads = files.map((f: { id?: string }) => fakeMedia.media.slackUploads.get(String(f?.id)));
    if (uploads.some((u: { bytes: Uint8Array | null } | undefined) => !u?.bytes)) return { status: 200, body: { ok: false, error: 'file_not_found' } };
    return { status: 200, body: { ok: true, files: files.map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title ?? null })) } };
  }

  /** Create Message with files: `payload_json` names each `files[n]` in `attachments`; too big is 413. */
  function discordFiles(request: RecordedRequest): FakeResponse {
    const payload = request.body?.payload_json ?? {};
    const attached = (payload.attachments ?? []) as Array<{ id: number | string; filename: string }>;
    const parts = attached.map((a) => request.body?.[`files[${a.id}]`] as { filename: string; size: number; type: string } | undefined);
    if (parts.some((p) => !p)) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
    if (parts.some((p) => p!.size > DISCORD_UPLOAD_LIMIT)) return { status: 413, body: { message: 'Request entity too large', code: 40005 } };
    counter += 1;
    const id = String(800000000000000000n + BigInt(counter));
    const attachments = parts.map((p, i) => ({ id: String(700000000000000000n + BigInt(counter * 10 + i)), filename: attached[i].filename, size: p!.size, content_type: p!.type }));
    return { status: 200, body: { id, channel_id: request.endpoint.split('/')[1], content: payload.content ?? '', attachments } };
  }

  function discord(request: RecordedRequest): FakeResponse {
    const unauthorized = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    const endpoint = request.endpoint;
    if (endpoint.startsWith('webhooks/')) {
      counter += 1;
      return { status: 200, body: { id: String(900000000000000000n + BigInt(counter)), content: request.body?.content } };
    }
    if (!request.token || rejected.has(request.token)) return unauthorized;
    if (endpoint === 'users/@me') return { status: 200, body: { id: '222222222222222222', username: 'fakebot', bot: true } };
    if (endpoint === 'applications/@me') return { status: 200, body: { id: discordApps.get(request.token) ?? '111111111111111111', name: 'Fake App' } };
    if (/^applications\/\d+\/commands$/.test(endpoint)) return { status: 201, body: { id: '333333333333333333', ...request.body } };
    // Trigger Typing Indicator: 204, no body.
    if (DISCORD_TYPING.test(endpoint) && request.method === 'POST') return { status: 204, body: null };
    if (/^channels\/\d+\/messages$/.test(endpoint) && request.method === 'POST' && /^multipart\//.test(request.headers['content-type'] ?? '')) return discordFiles(request);
    if (/^channels\/\d+\/messages$/.test(endpoint) && request.method === 'POST') {
      counter += 1;
      return { status: 200, body: { id: String(800000000000000000n + BigInt(counter)), channel_id: endpoint.split('/')[1], content: request.body?.content } };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const text = raw.toString('utf8');
    let body: unknown = null;
    if (/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      body = await readMultipart(raw, req.headers['content-type']!).catch(() => text);
    } else if (/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
      body = Object.fromEntries(new URLSearchParams(text));
    } else {
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
    }
    const telegramMatch = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
    const common = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body };
    const request: RecordedRequest = telegramMatch
      ? { api: 'telegram', ...common, endpoint: telegramMatch[2], token: decodeURIComponent(telegramMatch[1]) }
      : url.pathname.startsWith('/api/v10/')
        ? { api: 'discord', ...common, endpoint: url.pathname.slice('/api/v10/'.length), token: /^Bot (.+)$/.exec(headers.authorization ?? '')?.[1] ?? null }
        : url.pathname.startsWith('/api/')
          ? { api: 'slack', ...common, endpoint: url.pathname.slice('/api/'.length), token: bearer }
          : { api: 'meta', ...common, endpoint: url.pathname.replace(/^\/v\d+\.\d+\//, ''), token: bearer };
    requests.push(request);
    const script = scripted.find((s) => s.remaining > 0 && s.matches(request));
    if (!script && !(request.token && rejected.has(request.token)) && (await fakeMedia.handle(req, res, request, raw))) {
      // Served by the media fake (downloads stream; uploads answer JSON).
    } else if (script) {
      script.remaining -= 1;
      send(res, script.response);
    } else {
      const answer = { telegram, slack, discord, meta }[request.api];
      send(res, answer(request));
    }
    const current = waiters;
    waiters = [];
    current.forEach((wake) => wake());
  });
  await listenWhenFree(server, options.port ?? 0, options.waitForPortMs ?? 0);
  // After listening: the websocket server re-emits the HTTP server's errors, and a port still
  // taken while waiting for it (EADDRINUSE) would then be an unhandled 'error' event.
  const gateway = fakeGateway(server);
  // Read by the media fake when it builds download URLs.
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    media: fakeMedia.media,
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
    gateway: gateway.api,
    wsUrl: url.replace(/^http/, 'ws'),
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
      fakeMedia.media.reset();
      templates = FAKE_TEMPLATES;
      profiles = new Map();
      discordApps = new Map();
      gateway.api.received.length = 0;
    },
    setDiscordApp: (botToken: string, applicationId: string) => void discordApps.set(botToken, applicationId),
    close: () => {
      gateway.close();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * Discord's Gateway as a bot sees it: HELLO on connect, READY after IDENTIFY (RESUMED after a
 * RESUME with a known session), ACK for every heartbeat, and dispatches with increasing `s`.
 */
function fakeGateway(server: ReturnType<typeof createServer>) {
  const wss = new WebSocketServer({ server });
  const received: Array<{ op: number; d: any }> = [];
  const ready = new Set<WsSocket>();
  let seq = 0;
  let waiters: Array<() => void> = [];
  const sendTo = (socket: WsSocket, payload: unknown) => socket.send(JSON.stringify(payload));
  wss.on('connection', (socket) => {
    sendTo(socket, { op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    socket.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: any };
      received.push(payload);
      if (payload.op === 1) sendTo(socket, { op: 11 });
      if (payload.op === 2) {
        ready.add(socket);
        seq += 1;
        sendTo(socket, { op: 0, s: seq, t: 'READY', d: { session_id: 'fake-session', resume_gateway_url: '', user: { id: '222222222222222222', username: 'fakebot', bot: true } } });
      }
      if (payload.op === 6) {
        ready.add(socket);
        seq += 1;
        sendTo(socket, { op: 0, s: seq, t: 'RESUMED', d: null });
      }
      const current = waiters;
      waiters = [];
      current.forEach((wake) => wake());
    });
    socket.on('close', () => ready.delete(socket));
  });
  const api: FakeDiscordGateway = {
    received,
    connections: () => ready.size,
    dispatch(type, data) {
      seq += 1;
      for (const socket of ready) sendTo(socket, { op: 0, s: seq, t: type, d: data });
      return seq;
    },
    dropAll(code = 4000) {
      for (const socket of ready) socket.close(code, 'fake drop');
      ready.clear();
    },
    async waitFor(op, count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.filter((p) => p.op === op).length < count) {
        if (Date.now() > deadline) throw new Error(`gateway: expected ${count} payloads with op ${op}`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, 100);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
    },
  };
  return { api, close: () => wss.close() };
}
