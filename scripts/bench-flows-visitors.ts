// `npm run bench:flows`' visitors, in a process of its own (forked by scripts/bench-flows.ts): their
// HTTP clients and the zero-latency order API the flow calls. In the server's process their CPU
// and event-loop time were counted as server latency (SSE parsing, the API's HTTP handling); here
// the server's process does nothing but serve. (The fake Upstash runs in a process of its own:
// bench-upstash-process.ts.)
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSse } from '../functions/testing/sse-client';
import { httpCall } from './bench-server';

export type VisitorsRequest =
  | { type: 'run'; id: number; base: string; botId: string; sessions: string[]; rounds: number; script: 'flow' | 'plain'; pacing: 'paced' | 'none' }
  | { type: 'exit' };

export interface VisitorsRun {
  /** Request sent -> `done` event read, per accepted message (ms). */
  done: number[];
  /** Request sent -> the first event of the bot's reply (`token`, or `done` when it has none) read (ms). */
  firstReply: number[];
  /** Messages refused with 503 (admission control) and sent again after Retry-After. */
  refused: number;
  /** Per accepted message (same order as `done`): how many other visitors' messages were in flight when it was sent. */
  othersInFlight: number[];
  /** Per accepted message (same order as `done`): what it was (the flow's email turn runs the API call). */
  kind: Array<'greeting' | 'choice' | 'email' | 'plain'>;
  /** Per accepted message (same order as `done`): its `x-bench-message` header, by which the server's own clock finds it. */
  ids: string[];
}

export type VisitorsReply = { type: 'ready'; apiUrl: string } | { type: 'result'; id: number; value: unknown } | { type: 'failed'; id: number; error: string };

const apiServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"order":{"status":"shipped"}}'));
await new Promise<void>((done) => apiServer.listen(0, '127.0.0.1', done));

const reply = (message: VisitorsReply) => process.send!(message);

interface Timed {
  done: number;
  firstReply: number;
  othersInFlight: number;
  id: string;
}

/**
 * Node's own HTTP client (bench-server.ts `httpCall`) on a keep-alive agent, as lean as a client
 * gets: with fetch (undici) the
 * client's request building and web-stream reading added 1–2 ms at p50 and 3–4 ms at p95 to
 * every message, time the server never spent.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let sent = 0;

/** Messages sent and not yet answered, across visitors: the arrival pattern the server meets. */
let inFlight = 0;

/** One message; its two times, or the Retry-After of a 503 (nothing was stored). */
async function sendOnce(base: string, botId: string, sessionToken: string, message: string, quickReply?: string): Promise<Timed | { retryAfterSeconds: number }> {
  const othersInFlight = inFlight++;
  try {
    return await timedSend(base, botId, sessionToken, othersInFlight, message, quickReply);
  } finally {
    inFlight--;
  }
}

async function timedSend(base: string, botId: string, sessionToken: string, othersInFlight: number, message: string, quickReply?: string): Promise<Timed | { retryAfterSeconds: number }> {
  const body = JSON.stringify({ message, ...(quickReply ? { quickReply } : {}) });
  const id = `${process.pid}-${++sent}`;
  let seen = '';
  let firstReply = 0;
  const res = await httpCall(`${base}/api/v1/widget/${botId}/chat`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}`, 'x-bench-message': id },
    body,
    onChunk: (text, elapsedMs) => {
      seen += text;
      if (!firstReply && /event: (token|done)\n/.test(seen)) firstReply = elapsedMs;
    },
  });
  if (res.status === 503) return { retryAfterSeconds: Number(res.headers['retry-after'] ?? 1) || 1 };
  if (res.status !== 200) throw new Error(`chat -> ${res.status} ${res.body}`);
  if (!parseSse(res.body).some((e) => e.event === 'done' && e.data.message)) throw new Error(`no answer: ${res.body.slice(0, 300)}`);
  return { done: res.totalMs, firstReply, othersInFlight, id };
}

async function send(base: string, botId: string, sessionToken: string, counter: { refused: number }, message: string, quickReply?: string): Promise<Timed> {
  for (;;) {
    const outcome = await sendOnce(base, botId, sessionToken, message, quickReply);
    if ('done' in outcome) return outcome;
    counter.refused++;
    await new Promise((r) => setTimeout(r, outcome.retryAfterSeconds * 1000));
  }
}

/** Each visitor goes round the flow (a choice, an email, ...) or asks plain questions, `rounds` times. */
async function run(request: Extract<VisitorsRequest, { type: 'run' }>): Promise<VisitorsRun> {
  const result: VisitorsRun = { done: [], firstReply: [], refused: 0, othersInFlight: [], kind: [], ids: [] };
  const think = () => (request.pacing === 'paced' ? 300 + Math.random() * 700 : 0);
  const script = (i: number, r: number): [string, string?] =>
    request.script === 'plain' ? [`pregunta ${i}-${r}`] : r === 0 ? ['hola'] : r % 2 === 1 ? ['Estado', 'status'] : [`v${i}-${r}@example.com`];
  await Promise.all(
    request.sessions.map(async (session, i) => {
      await new Promise((r) => setTimeout(r, think()));
      for (let r = 0; r < request.rounds; r++) {
        const [text, quickReply] = script(i, r);
        const timed = await send(request.base, request.botId, session, result, text, quickReply);
        result.done.push(timed.done);
        result.firstReply.push(timed.firstReply);
        result.othersInFlight.push(timed.othersInFlight);
        result.ids.push(timed.id);
        result.kind.push(request.script === 'plain' ? 'plain' : r === 0 ? 'greeting' : quickReply ? 'choice' : 'email');
        await new Promise((res) => setTimeout(res, think()));
      }
    }),
  );
  return result;
}

process.on('message', (request: VisitorsRequest) => {
  // Not apiServer.close(): the server under test keeps its connections to the API open.
  if (request.type === 'exit') process.exit(0);
  run(request).then(
    (value) => reply({ type: 'result', id: request.id, value }),
    (error: unknown) => reply({ type: 'failed', id: request.id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
reply({ type: 'ready', apiUrl: `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}` });
