import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible chat server (what Ollama, vLLM or LM Studio expose):
 * POST /v1/chat/completions, streaming Server-Sent Events chunks in OpenAI's wire format, with
 * usage in the last chunk; GET /v1/models; POST /v1/audio/transcriptions (OpenAI's multipart form:
 * `file`, `model`, optional `response_format`, answered `{ "text": … }`); and OpenAI's 401 body for a key in `invalidKeys`. Tests and the chat benchmark point COMPATIBLE_BASE_URL at it.
 */
export interface FakeChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
  temperature?: number;
  max_tokens?: number;
}

export interface FakeTranscriptionRequest {
  model: string;
  responseFormat: string | null;
  file: { name: string; type: string; size: number; bytes: Uint8Array } | null;
}

/** Models the fake transcribes with (OpenAI's); others are refused as OpenAI refuses an unknown model. */
const TRANSCRIPTION_MODELS = new Set(['whisper-1', 'gpt-4o-mini-transcribe', 'gpt-4o-transcribe']);

export const FAKE_TRANSCRIPT = 'Hola, ¿a qué hora abren mañana?';

export interface FakeOpenAI {
  url: string;
  requests: FakeChatRequest[];
  /** What the model answers; by default it echoes the last user message. */
  reply: (request: FakeChatRequest) => string;
  /** Models that answer HTTP 500. */
  failing: Set<string>;
  /** API keys the server refuses with HTTP 401, as OpenAI does for a wrong key. */
  invalidKeys: Set<string>;
  /** What GET /models lists. */
  models: string[];
  /** Milliseconds between streamed chunks (0 = as fast as possible). */
  tokenDelayMs: number;
  /** Transcription requests as received (the multipart form's fields; the file's name, type and size). */
  transcriptions: FakeTranscriptionRequest[];
  /** What a transcription answers; by default a fixed Spanish question. */
  transcribe: (request: FakeTranscriptionRequest) => string;
  /** When set, every answer waits for this promise first (a model that is slow until a test says so). */
  hold?: Promise<void>;
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** OpenAI's errors for a missing file or model are 400 `invalid_request_error`; a model in `failing` crashes (500). */
async function answerTranscription(req: IncomingMessage, res: ServerResponse, fake: FakeOpenAI) {
  const contentType = req.headers['content-type'] ?? '';
  const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (!/^multipart\/form-data;\s*boundary=/i.test(contentType)) return json(400, { error: { message: "Invalid Content-Type header, expected 'multipart/form-data'", type: 'invalid_request_error' } });
  const form = await new Response(new Uint8Array(await readRaw(req)), { headers: { 'content-type': contentType } }).formData();
  const file = form.get('file');
  const model = form.get('model');
  const request: FakeTranscriptionRequest = {
    model: typeof model === 'string' ? model : '',
    responseFormat: typeof form.get('response_format') === 'string' ? (form.get('response_format') as string) : null,
    file: file && typeof file !== 'string' ? { name: file.name, type: file.type, size: file.size, bytes: new Uint8Array(await file.arrayBuffer()) } : null,
  };
  fake.transcriptions.push(request);
  if (!request.file) return json(400, { error: { message: "1 validation error: 'file' field required", type: 'invalid_request_error', param: 'file' } });
  if (!request.model) return json(400, { error: { message: "you must provide a model parameter", type: 'invalid_request_error', param: 'model' } });
  if (fake.failing.has(request.model)) return json(500, { error: { message: 'model crashed', type: 'server_error' } });
  if (!TRANSCRIPTION_MODELS.has(request.model)) return json(400, { error: { message: `The model \`${request.model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' } });
  json(200, { text: fake.transcribe(request) });
}

export async function startFakeOpenAI(options: { recordRequests?: boolean } = {}): Promise<FakeOpenAI> {
  const fake: FakeOpenAI = {
    url: '',
    requests: [],
    reply: (request) => `Echo: ${request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? ''}`,
    failing: new Set(),
    invalidKeys: new Set(),
    models: ['fake-llm'],
    transcriptions: [],
    transcribe: () => FAKE_TRANSCRIPT,
    tokenDelayMs: 0,
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (fake.invalidKeys.has(key)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(
        JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }),
      );
      return;
    }
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: fake.models.map((id) => ({ id, object: 'model', owned_by: 'fake' })) }));
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/audio/transcriptions')) {
      await answerTranscription(req, res, fake);
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = (await readJson(req)) as FakeChatRequest;
    if (options.recordRequests !== false) fake.requests.push(body);
    if (fake.failing.has(body.model)) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'model crashed', type: 'server_error' } }));
      return;
    }
    if (fake.hold) await fake.hold;
    const text = fake.reply(body);
    const pieces = text.match(/\S+\s*|\s+/g) ?? [text];
    const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
    const usage = { prompt_tokens: JSON.stringify(body.messages).length >> 2, completion_tokens: pieces.length, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of pieces) {
      if (fake.tokenDelayMs) await new Promise((r) => setTimeout(r, fake.tokenDelayMs));
      res.write(chunk({ content: piece }, null));
    }
    res.write(chunk({}, 'stop'));
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  // A loaded machine outlasted the default 5 s keep-alive while a client still meant to reuse the socket (ECONNRESET).
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () => new Promise((done) => server.close(() => done()));
  return fake;
}

/** Where the chat tests have always found it; the parser lives with the SSE test client. */
export { parseSse } from './sse-client';
