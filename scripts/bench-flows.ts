// `npm run bench:flows` (server part): what flows add on the server, with a zero-latency API
// server on loopback and no model time (the flow below needs no model):
//   - per flow step: the runtime alone (in process, an in-memory host), p50 of the time per step
//     of a 50-step turn (goal < 2 ms), and the marginal cost of a step through the whole widget
//     turn on PGlite (a 41-step turn minus a 1-step turn, divided by 40);
//   - per incoming message: the server's overhead on its own clock (Node's `request` event -> the
//     answer's last byte written, found by the visitors' `x-bench-message` header) and, beside it,
//     request sent -> `done` read as the visitors see it, through the widget API, p50/p95 at 20
//     concurrent sessions (goal p95 < 15 ms), on both storage paths: the local adapters (PGlite,
//     in-process KV) and with the edge KV adapter (adapters/edge/kv.ts against the edge suite's
//     fake Upstash REST API in front of a real redis-server, as `npm run bench:chat` does: each
//     KV call is an HTTP round trip, through a keep-alive node:http client standing in for
//     workerd's native fetch, and through Node's own fetch beside it), with a breakdown of where the time goes (the database
//     gate's queue wait and run time per message, GC pauses, event-loop delay, the server's CPU
//     time per message) and the time to the reply's first event beside it, and the arrival pattern
//     (how many other visitors' messages were in flight when each was sent; the times of messages
//     sent to an idle server against those that met others' turns: queuing or the turn's own cost),
//     and, from the messages the server had to itself, the stages of a message on the server's
//     clock (before the first statement, the two statements, the flow's steps and API call between
//     them, writing the answer) for the faster half and the slowest tenth;
//   - the visitors, the order API and the fake Upstash run in a process of their own
//     (bench-flows-visitors.ts): this process is the server, so its CPU time, GC and event-loop
//     delay are the server's alone (in one process, the 20 clients' fetch and SSE parsing and the
//     fake services' HTTP handling were counted as server latency);
//   - one visitor alone, back to back: the server's CPU time per message split into the
//     statements' run time (PGlite runs on the server's thread), statement by statement, and the rest;
//   - SQL and KV round trips per flow turn, the statements of one turn, and on the edge KV path the
//     Upstash REST requests of one turn (each an HTTP round trip) with the commands each carries.
// BENCH_CPU_PROFILE=<dir> writes a CPU profile of the server during each latency run.
import { mkdtempSync, rmSync } from 'node:fs';
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTurn, type FlowHost } from '../functions/core/flows/runtime';
import { flowDocument } from '../functions/core/flows/schema';
import { initialState } from '../functions/core/flows/state';
import { startLocalRuntime } from '../functions/local-runtime';
import { parseSse } from '../functions/testing/fake-openai';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createUpstashKv } from '../functions/adapters/edge/kv';
import { jsonApi, loadAverage, nodeUpstashPost, percentile, profiled, recordStatements, serveOnLoopback } from './bench-lib';
import { ownChild } from './bench-server';
import { runAsTheProductRuns } from './product-node';
import type { VisitorsReply, VisitorsRequest, VisitorsRun } from './bench-flows-visitors';
import type { GateEntry } from '../functions/adapters/local/priority';
import type { Server } from 'node:http';

const SESSIONS = 20;
const ROUNDS = Number(process.env.BENCH_FLOWS_ROUNDS ?? 15);
const SEQUENTIAL_ROUNDS = 60;
const pos = { x: 0, y: 0 };

// ---- the runtime alone -----------------------------------------------------------------------
/** start -> N message/condition nodes alternating -> end: every step substitutes or branches. */
function chainFlow(steps: number) {
  const nodes: unknown[] = [{ id: 'start', type: 'start', position: pos, data: {} }];
  const edges: unknown[] = [];
  let previous = { id: 'start', out: 'next' };
  for (let i = 0; i < steps; i++) {
    const id = `n${i}`;
    if (i % 2 === 0) nodes.push({ id, type: 'message', position: pos, data: { text: `Paso ${i} para {{name}}: {{message}}` } });
    else nodes.push({ id, type: 'condition', position: pos, data: { rules: [{ id: 'r', when: { kind: 'variable', variable: 'name', operator: 'equals', value: 'Ana' } }] } });
    edges.push({ id: `e${i}`, source: previous.id, sourceHandle: previous.out, target: id });
    previous = { id, out: i % 2 === 0 ? 'next' : 'rule:r' };
  }
  return flowDocument.parse({ nodes, edges, variables: [{ name: 'name' }], settings: { stepLimit: 100, nodeTimeoutMs: 10_000 } });
}

const memoryHost: FlowHost = {
  channel: 'web',
  language: 'es',
  conversationId: null,
  contactName: null,
  isOpen: () => true,
  knowledge: async () => ({ answered: false, text: '' }),
  classifyIntent: async () => null,
  ai: async () => ({ text: '', extracted: {} }),
  http: async () => ({ status: 200, body: '{}' }),
  secret: async () => undefined,
  applyAction: async () => null,
  emitWebhook: async () => null,
  loadFlow: async () => null,
  sleep: async () => {},
};

async function runtimeAlone() {
  const STEPS = 50;
  const flow = chainFlow(STEPS);
  const state = { ...initialState('f', 1), variables: { name: 'Ana' } };
  for (let i = 0; i < 200; i++) await runTurn({ doc: flow, state, incoming: { text: 'hola' }, host: memoryHost });
  const perStep: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const started = performance.now();
    const result = await runTurn({ doc: flow, state, incoming: { text: 'hola' }, host: memoryHost });
    perStep.push((performance.now() - started) / result.steps.length);
  }
  console.log(`runtime alone, per step (${STEPS + 1}-step turns, in-memory host): p50 ${(percentile(perStep, 0.5) * 1000).toFixed(1)} µs, p99 ${(percentile(perStep, 0.99) * 1000).toFixed(1)} µs (goal p50 < 2 ms)`);
}

// ---- through the app on PGlite ---------------------------------------------------------------
// The visitors, the order API and the fake Upstash run in their own process (bench-flows-visitors.ts).
// The server runs in this process: under the flags `npm start` gives Node (product-node.ts).
if (!(await runAsTheProductRuns(import.meta.url))) process.exit();

const visitors = startVisitors();
const apiUrl = await visitors.ready;

type Asked = Exclude<VisitorsRequest, { type: 'exit' }> extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** The visitors' process, driven over IPC: requests answered by id. */
function startVisitors() {
  const child = fork(new URL('./bench-flows-visitors.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stopChild = ownChild(child);
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let readyResolve: (url: string) => void;
  const ready = new Promise<string>((resolve) => (readyResolve = resolve));
  child.on('message', (message: VisitorsReply) => {
    if (message.type === 'ready') return readyResolve(message.apiUrl);
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'result') waiter?.resolve(message.value);
    else waiter?.reject(new Error(`visitors: ${message.error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the visitors' process exited (${code})`));
  });
  function ask<T>(request: Asked): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...request, id } as VisitorsRequest);
    });
  }
  return {
    ready,
    ask,
    stop: () => stopChild(() => child.send({ type: 'exit' } satisfies VisitorsRequest)),
  };
}

/** The fake Upstash REST API on redis-server, in a process of its own (bench-upstash-process.ts). */
async function startUpstash() {
  const child = fork(new URL('./bench-upstash-process.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stopChild = ownChild(child);
  const address = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`the fake Upstash exited (${code})`)));
  });
  return { ...address, stop: () => stopChild(() => child.send('close')) };
}

/** What a visitor goes through: a choice, a validated email, an API call, a reply, and round again. */
function conversationFlow() {
  return {
    nodes: [
      { id: 'start', type: 'start', position: pos, data: {} },
      { id: 'hello', type: 'message', position: pos, data: { text: 'Hola, te ayudo con tu pedido.' } },
      { id: 'topic', type: 'question', position: pos, data: { prompt: '¿Qué necesitas?', variable: 'topic', choices: [{ id: 'status', label: 'Estado' }, { id: 'other', label: 'Otra cosa' }] } },
      { id: 'email', type: 'input', position: pos, data: { prompt: '¿Tu email?', variable: 'email', validation: 'email' } },
      { id: 'lookup', type: 'api_call', position: pos, data: { request: { url: `${apiUrl}/orders?email={{email}}`, timeoutMs: 2000 }, mapping: [{ variable: 'state', path: 'order.status' }] } },
      { id: 'vip', type: 'condition', position: pos, data: { rules: [{ id: 'shipped', when: { kind: 'variable', variable: 'state', operator: 'equals', value: 'shipped' } }] } },
      { id: 'done', type: 'message', position: pos, data: { text: 'Tu pedido ({{email}}) está: {{state}}.' } },
    ],
    edges: [
      ['start', 'next', 'hello'],
      ['hello', 'next', 'topic'],
      ['topic', 'choice:status', 'email'],
      ['topic', 'choice:other', 'email'],
      ['email', 'next', 'lookup'],
      ['lookup', 'success', 'vip'],
      ['lookup', 'error', 'done'],
      ['vip', 'rule:shipped', 'done'],
      ['vip', 'else', 'done'],
      ['done', 'next', 'topic'],
    ].map(([source, sourceHandle, target], i) => ({ id: `e${i}`, source, sourceHandle, target })),
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-flows-'));
const runtime = await startLocalRuntime({
  dataDir,
  runJobs: true,
  env: { AUTH_ATTEMPTS_PER_IP: '100000', WIDGET_MESSAGES_PER_SESSION: '1000000', WIDGET_MESSAGES_PER_IP: '1000000', ALLOW_PRIVATE_URLS: 'true' },
});
const { server, base } = await serveOnLoopback(runtime);
const clock = serverClock(server);
const apiCalls = apiCallWindows();

/**
 * The server's own clock for each chat message: from Node's `request` event (its headers parsed)
 * to the response's `finish` (the last byte handed to the socket), found by the visitors'
 * `x-bench-message` header. This is the goal's "server overhead per incoming message"; what the
 * visitors see adds loopback and their own client's work.
 */
function serverClock(httpServer: Server) {
  const messages = new Map<string, { start: number; end: number }>();
  httpServer.prependListener('request', (req, res) => {
    const id = req.headers['x-bench-message'];
    if (typeof id !== 'string') return;
    const entry = { start: performance.now(), end: Number.NaN };
    messages.set(id, entry);
    res.once('finish', () => (entry.end = performance.now()));
  });
  return messages;
}

/** When each flow API call (the outbound port's `fetchText`) started and ended, on this thread's clock. */
function apiCallWindows() {
  const windows: Array<{ start: number; end: number }> = [];
  const outbound = runtime.services.outbound;
  const fetchText = outbound.fetchText.bind(outbound);
  outbound.fetchText = async (...args) => {
    const start = performance.now();
    try {
      return await fetchText(...args);
    } finally {
      windows.push({ start, end: performance.now() });
    }
  };
  return windows;
}
const api = jsonApi(base);

let refused = 0;

/**
 * A message the server refused with 503 (admission control on a loaded machine: nothing stored)
 * is sent again after its Retry-After, as a widget would; refusals are counted and reported,
 * and the time measured is the accepted attempt's.
 */
async function send(sessionToken: string, botId: string, message: string, quickReply?: string): Promise<number> {
  for (;;) {
    const outcome = await sendOnce(sessionToken, botId, message, quickReply);
    if (typeof outcome === 'number') return outcome;
    refused++;
    await new Promise((r) => setTimeout(r, outcome.retryAfterSeconds * 1000));
  }
}

async function sendOnce(sessionToken: string, botId: string, message: string, quickReply?: string): Promise<number | { retryAfterSeconds: number }> {
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/widget/${botId}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
    body: JSON.stringify({ message, ...(quickReply ? { quickReply } : {}) }),
  });
  const text = await res.text();
  const elapsed = performance.now() - started;
  if (res.status === 503) return { retryAfterSeconds: Number(res.headers.get('retry-after') ?? 1) || 1 };
  if (res.status !== 200) throw new Error(`chat -> ${res.status} ${text}`);
  if (!parseSse(text).some((e) => e.event === 'done' && e.data.message)) throw new Error(`no answer: ${text.slice(0, 300)}`);
  return elapsed;
}

async function botWithFlow(token: string, name: string, document: unknown) {
  const bot = await api('POST', '/api/v1/chatbots', token, { name, model: 'builtin:extractive' });
  await api('POST', `/api/v1/chatbots/${bot.id}/deploy`, token);
  const flow = await api('POST', `/api/v1/chatbots/${bot.id}/flows`, token, { name, document });
  await api('POST', `/api/v1/chatbots/${bot.id}/flows/${flow.id}/publish`, token);
  return bot.id as string;
}

/**
 * Where a latency run's time goes, per message: the request statements' wait for the database
 * gate and their run time, GC pauses, and the event loop's delay (anything holding the thread).
 * The slow 5% of messages are the ones that met these; the split says which to fix.
 */
function whereTheTimeGoes() {
  const statements = recordStatements(runtime);
  apiCalls.length = 0;
  let gcMs = 0;
  let gcs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcs++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  return {
    stop(windows: Array<{ start: number; end: number }>) {
      statements.stop();
      gc.disconnect();
      loop.disable();
      const messages = windows.length;
      const ms = (ns: number) => (ns / 1e6).toFixed(1);
      return {
        summary: `${statements.summary(messages)}; GC ${gcs} pauses, ${(gcMs / messages).toFixed(2)} ms per message; event-loop delay p50 ${ms(loop.percentile(50))} / p99 ${ms(loop.percentile(99))} / max ${ms(loop.max)} ms`,
        stages: stages(windows, statements.entries, apiCalls),
      };
    },
  };
}

/**
 * Where a message's server time goes, from the messages the server had to itself (no other chat
 * message in the server meanwhile, so every statement and API call in its window is its own):
 * before its first statement (HTTP, session, limits, bot), the first statement (queue wait and the
 * round trip to the database thread: the message stored, the flow's position read), from there to
 * the second (the flow's steps and its API call, shown apart), the second (the reply, the position,
 * the node counts) and writing the answer out. Means of the faster half and of the slowest tenth:
 * a stage that grows in the slow tenth is where the p95 comes from.
 */
function stages(windows: Array<{ start: number; end: number }>, statements: GateEntry[], calls: Array<{ start: number; end: number }>) {
  const inside = (w: { start: number; end: number }, from: number, to: number) => from >= w.start && to <= w.end;
  const rows: number[][] = [];
  for (const w of windows) {
    if (windows.some((other) => other !== w && other.start < w.end && other.end > w.start)) continue;
    const own = statements.filter((e) => !e.background && inside(w, e.startedAt - e.waitMs, e.startedAt + e.execMs));
    if (own.length !== 2) continue;
    const [first, second] = own as [GateEntry, GateEntry];
    const firstEnd = first.startedAt + first.execMs;
    const secondStart = second.startedAt - second.waitMs;
    const call = calls.find((c) => c.start >= firstEnd && c.end <= secondStart);
    rows.push([
      w.end - w.start,
      first.startedAt - first.waitMs - w.start,
      first.waitMs + first.execMs,
      secondStart - firstEnd,
      call ? call.end - call.start : 0,
      second.waitMs + second.execMs,
      w.end - (second.startedAt + second.execMs),
    ]);
  }
  if (rows.length < 20) return `where the server's time goes: too few messages had the server to themselves (${rows.length})`;
  rows.sort((a, b) => a[0]! - b[0]!);
  const mean = (from: number, to: number, k: number) => {
    const slice = rows.slice(Math.floor(rows.length * from), Math.ceil(rows.length * to));
    return (slice.reduce((total, row) => total + row[k]!, 0) / slice.length).toFixed(1);
  };
  const names = ['total', 'before the first statement', 'first statement', 'flow steps and API call', 'of which the API call', 'second statement', 'writing the answer'];
  return `where the server's time goes (${rows.length} messages that had the server to themselves; mean ms, faster half | slowest tenth): ${names.map((name, k) => `${name} ${mean(0, 0.5, k)} | ${mean(0.9, 1, k)}`).join('; ')}`;
}

/** A statement's kind for the breakdown: its first words and the tables its CTEs write. */
function statementKind(text: string) {
  const writes = [...text.matchAll(/\b(insert into|update) "?(\w+)"?/gi)].map((m) => m[2]);
  return `${text.slice(0, 48)}… writes ${[...new Set(writes)].join(', ') || 'nothing'}`;
}

/**
 * The arrival pattern: how many other visitors' messages were in flight when each was sent, and
 * the times of the messages that arrived to an idle server against those that met others' turns
 * (a p95 far above the lone messages' is queuing behind other sessions, not the turn's own cost).
 */
function arrivals(run: VisitorsRun & { server: number[] }) {
  const alone = run.server.filter((_, i) => run.othersInFlight[i] === 0);
  const queued = run.server.filter((_, i) => run.othersInFlight[i] > 0);
  const share = ((100 * queued.length) / run.server.length).toFixed(0);
  const figure = (values: number[]) => (values.length ? `p50 ${percentile(values, 0.5).toFixed(1)} / p95 ${percentile(values, 0.95).toFixed(1)} ms` : 'none');
  return `arrivals: ${share}% met other turns in flight (others in flight p50 ${percentile(run.othersInFlight, 0.5)}, p95 ${percentile(run.othersInFlight, 0.95)}, max ${Math.max(...run.othersInFlight)}); sent to an idle server ${figure(alone)}, behind others ${figure(queued)}`;
}

/** Each kind of message's times in the server (and as the visitors see them): the email turns run the API call (an HTTP round trip) and the most steps. */
function byKind(run: VisitorsRun & { server: number[] }) {
  const kinds = [...new Set(run.kind)];
  return `by message, in the server (visitors): ${kinds
    .map((kind) => {
      const server = run.server.filter((_, i) => run.kind[i] === kind);
      const seen = run.done.filter((_, i) => run.kind[i] === kind);
      return `${kind} (${server.length}) p50 ${percentile(server, 0.5).toFixed(1)} (${percentile(seen, 0.5).toFixed(1)}) / p95 ${percentile(server, 0.95).toFixed(1)} (${percentile(seen, 0.95).toFixed(1)}) ms`;
    })
    .join(', ')}`;
}

/** Upstash REST requests (pipelines, each one HTTP round trip) and their commands during `fn`. */
async function countUpstashRequests(url: string, fn: () => Promise<unknown>) {
  const realFetch = globalThis.fetch;
  const commands: string[][] = [];
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (String(input).startsWith(url)) commands.push((JSON.parse(String(init?.body)) as Array<Array<string | number>>).map((c) => String(c[0])));
    return realFetch(input, init);
  }) as typeof fetch;
  try {
    await fn();
  } finally {
    globalThis.fetch = realFetch;
  }
  return `${commands.length} (${commands.map((c) => c.join('+')).join(', ')})`;
}

const newSession = async (botId: string) => (await api('POST', `/api/v1/widget/${botId}/session`, undefined, {})).sessionToken as string;

try {
  await runtimeAlone();
  const user = await api('POST', '/api/v1/auth/register', undefined, { email: 'bench@example.com', password: 'a-strong-password-1', name: 'Bench' });
  const token = user.accessToken;
  await api('POST', '/api/v1/organizations', token, { name: 'Bench' });

  // Marginal cost of a step through the whole turn: each answer to `ask` runs N chained steps and
  // asks again; N = 40 against N = 0, one session each (sessions are rate limited per IP).
  const looping = (steps: number) => {
    const chain = chainFlow(steps);
    const ask = { id: 'ask', type: 'input', position: pos, data: { prompt: '¿Tu nombre?', variable: 'name' } };
    const nodes = [...chain.nodes, ask];
    const edges = chain.edges.filter((e) => e.source !== 'start');
    const first = steps > 0 ? 'n0' : 'ask';
    const lastId = steps > 0 ? `n${steps - 1}` : null;
    const lastOut = steps > 0 ? ((steps - 1) % 2 === 0 ? 'next' : 'rule:r') : null;
    edges.push({ id: 's', source: 'start', sourceHandle: 'next', target: 'ask' }, { id: 'a', source: 'ask', sourceHandle: 'next', target: first });
    if (lastId && lastOut) edges.push({ id: 'l', source: lastId, sourceHandle: lastOut, target: 'ask' });
    return { ...chain, nodes, edges };
  };
  const longBot = await botWithFlow(token, 'Long', looping(40));
  const shortBot = await botWithFlow(token, 'Short', looping(0));
  const longSession = await newSession(longBot);
  const shortSession = await newSession(shortBot);
  for (let i = 0; i < 10; i++) await Promise.all([send(longSession, longBot, 'Ana'), send(shortSession, shortBot, 'Ana')]);
  const longs: number[] = [];
  const shorts: number[] = [];
  for (let i = 0; i < 80; i++) {
    longs.push(await send(longSession, longBot, 'Ana'));
    shorts.push(await send(shortSession, shortBot, 'Ana'));
  }
  const marginal = (percentile(longs, 0.5) - percentile(shorts, 0.5)) / 40;
  console.log(`through the widget on PGlite: 2-step turn p50 ${percentile(shorts, 0.5).toFixed(1)} ms, 42-step turn p50 ${percentile(longs, 0.5).toFixed(1)} ms -> ${marginal.toFixed(3)} ms per extra step (goal < 2 ms)`);

  // Round trips of one flow turn (an email answered: input -> api_call -> condition -> message -> question).
  const botId = await botWithFlow(token, 'Orders', conversationFlow());
  const { pglite } = runtime.database;
  let sql = 0;
  const originalQuery = pglite.query.bind(pglite);
  const originalExec = pglite.exec.bind(pglite);
  (pglite as any).query = (...args: unknown[]) => (sql++, (originalQuery as any)(...args));
  (pglite as any).exec = (...args: unknown[]) => (sql++, (originalExec as any)(...args));
  let kv = 0;
  const kvStore = runtime.services.kv as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['get', 'getMany', 'set', 'del', 'incr', 'rateLimit', 'rateLimitAll', 'streamAppend', 'streamRead', 'streamLastId'] as const) {
    const original = kvStore[name].bind(kvStore);
    kvStore[name] = (...args: unknown[]) => (kv++, original(...args));
  }
  const probe = await newSession(botId);
  await send(probe, botId, 'hola');
  await send(probe, botId, 'Estado', 'status');
  await runtime.idle();
  sql = 0;
  kv = 0;
  const oneTurn = recordStatements(runtime);
  await send(probe, botId, 'ana@example.com');
  await runtime.idle();
  oneTurn.stop();
  console.log(`round trips per flow turn (input -> api_call -> condition -> message -> question): SQL ${sql}, KV ${kv}`);
  console.log(`statements of that turn (queue wait, run time):\n${oneTurn.list()}`);

  // One visitor alone, back to back: the server's CPU time per message and how much of it the
  // statements' run time is (PGlite runs on the server's thread), with nothing queued.
  {
    const [alone] = await Promise.all([newSession(botId)]);
    const statements = recordStatements(runtime);
    const cpuBefore = process.cpuUsage();
    const run = await visitors.ask<VisitorsRun>({ type: 'run', base, botId, sessions: [alone!], rounds: SEQUENTIAL_ROUNDS, script: 'flow', pacing: 'none' });
    await runtime.idle();
    const cpu = process.cpuUsage(cpuBefore);
    statements.stop();
    const perMessage = (cpu.user + cpu.system) / 1000 / run.done.length;
    const requests = statements.entries.filter((e) => !e.background);
    const runMs = requests.reduce((total, e) => total + e.execMs, 0) / run.done.length;
    const byStatement = new Map<string, number[]>();
    for (const e of requests) byStatement.set(statementKind(e.text), [...(byStatement.get(statementKind(e.text)) ?? []), e.execMs]);
    const server = run.ids.map((id) => clock.get(id)!).map((w) => w.end - w.start);
    for (const id of run.ids) clock.delete(id);
    console.log(`one visitor alone, ${run.done.length} messages back to back: in the server p50 ${percentile(server, 0.5).toFixed(1)} ms, p95 ${percentile(server, 0.95).toFixed(1)} ms (as the visitor sees it p50 ${percentile(run.done, 0.5).toFixed(1)}, p95 ${percentile(run.done, 0.95).toFixed(1)}); server CPU ${perMessage.toFixed(2)} ms per message, of which the statements run ${runMs.toFixed(2)} ms (${(requests.length / run.done.length).toFixed(1)} per message) and the rest (HTTP, routing, flow, KV, serializing) ${(perMessage - runMs).toFixed(2)} ms; ${loadAverage()}`);
    for (const [kind, runs] of byStatement) console.log(`    ${(runs.length / run.done.length).toFixed(2)} per message, run p50 ${percentile(runs, 0.5).toFixed(2)} ms  ${kind}`);
  }

  // 20 concurrent visitors, each going round the flow, from the visitors' process: this process
  // only serves, so its CPU time per message is the server's, and a message's time is a client's.
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => newSession(botId)));
  async function latencyRun(label: string, bot: string, botSessions: string[], script: 'flow' | 'plain', pacing: 'paced' | 'none') {
    const where = whereTheTimeGoes();
    const cpuBefore = process.cpuUsage();
    const run = await profiled(label, () => visitors.ask<VisitorsRun>({ type: 'run', base, botId: bot, sessions: botSessions, rounds: ROUNDS, script, pacing }));
    await runtime.idle();
    const cpu = process.cpuUsage(cpuBefore);
    refused += run.refused;
    const windows = run.ids.map((id) => {
      const window = clock.get(id);
      if (!window || Number.isNaN(window.end)) throw new Error(`the server did not time message ${id}`);
      return window;
    });
    for (const id of run.ids) clock.delete(id);
    const { summary, stages: timeline } = where.stop(windows);
    return { ...run, server: windows.map((w) => w.end - w.start), cpuPerMessage: (cpu.user + cpu.system) / 1000 / windows.length, breakdown: summary, stages: timeline };
  }
  const ms = (values: number[], p: number) => percentile(values, p).toFixed(1);
  const figures = (run: Awaited<ReturnType<typeof latencyRun>>, goal = '') =>
    `in the server p50 ${ms(run.server, 0.5)} ms, p95 ${ms(run.server, 0.95)} ms, p99 ${ms(run.server, 0.99)} ms${goal}; as the visitors see it p50 ${ms(run.done, 0.5)} / p95 ${ms(run.done, 0.95)} / p99 ${ms(run.done, 0.99)} ms (reply's first event p50 ${ms(run.firstReply, 0.5)} / p95 ${ms(run.firstReply, 0.95)} ms); server CPU ${run.cpuPerMessage.toFixed(2)} ms per message\n      ${arrivals(run)}
      ${byKind(run)}`;
  const paced = await latencyRun('flows-local-paced', botId, sessions, 'flow', 'paced');
  const saturated = await latencyRun('flows-local-saturated', botId, sessions, 'flow', 'none');
  // The edge storage path: the same visitors with every KV call an HTTP round trip to Upstash's
  // API (served from a process of its own, as the real one is from other machines). On workerd the
  // adapter's requests go through the runtime's native fetch; on Node, `fetch` is undici, whose
  // objects (about 30 KB a call, twice a message) and client CPU a Worker never pays: under npm
  // start's small young generation they cost more scavenges than the rest of the message. The
  // goal's figure takes a keep-alive node:http client in its place (bench-lib.ts nodeUpstashPost);
  // undici's is printed beside it.
  const upstash = await startUpstash();
  const localKv = runtime.services.kv;
  let edgePaced: Awaited<ReturnType<typeof latencyRun>>;
  let edgeFetchPaced: Awaited<ReturnType<typeof latencyRun>>;
  try {
    runtime.services.kv = createUpstashKv({ ...upstash, post: nodeUpstashPost() });
    const edgeProbe = await newSession(botId);
    await send(edgeProbe, botId, 'hola');
    await send(edgeProbe, botId, 'Estado', 'status');
    await runtime.idle();
    console.log(`Upstash REST round trips per flow turn (the same email answered, edge KV adapter): ${await countUpstashRequests(upstash.url, async () => {
      await send(edgeProbe, botId, 'ana@example.com');
      await runtime.idle();
    })}`);
    edgePaced = await latencyRun('flows-edge-paced', botId, sessions, 'flow', 'paced');
    runtime.services.kv = createUpstashKv(upstash);
    edgeFetchPaced = await latencyRun('flows-edge-fetch-paced', botId, sessions, 'flow', 'paced');
  } finally {
    runtime.services.kv = localKv;
    await upstash.stop();
  }
  // The same load on a bot without a flow (no knowledge base: its fixed fallback reply), to
  // separate what the flow adds from the turn every bot pays (auth, rate limits, storing, events).
  const plain = await api('POST', '/api/v1/chatbots', token, { name: 'Plain', model: 'builtin:extractive' });
  await api('POST', `/api/v1/chatbots/${plain.id}/deploy`, token);
  const plainSessions = await Promise.all(Array.from({ length: SESSIONS }, () => newSession(plain.id)));
  for (const s of plainSessions) await send(s, plain.id, 'hola');
  const plainRun = await latencyRun('flows-plain-saturated', plain.id, plainSessions, 'plain', 'none');

  console.log(`per incoming message, ${SESSIONS} concurrent sessions x ${ROUNDS} messages (zero-latency API): the server's overhead on its own clock (request read -> answer written), and request sent -> done read as the visitors' process sees it:`);
  console.log(`  local adapters (PGlite, in-process KV), visitors pacing 0.3–1 s: ${figures(paced, ' (goal p95 < 15 ms)')}`);
  console.log(`      ${paced.breakdown}`);
  console.log(`      ${paced.stages}`);
  console.log(`  edge KV adapter (Upstash REST on loopback, node:http client), pacing 0.3–1 s: ${figures(edgePaced, ' (goal p95 < 15 ms)')}`);
  console.log(`      ${edgePaced.breakdown}`);
  console.log(`      ${edgePaced.stages}`);
  console.log(`  the same, Upstash through Node's fetch (undici):               ${figures(edgeFetchPaced)}`);
  console.log(`      ${edgeFetchPaced.breakdown}`);
  console.log(`  local adapters, back-to-back sends:                             ${figures(saturated)}`);
  console.log(`      ${saturated.breakdown}`);
  console.log(`  same load back to back, a bot without a flow:                   ${figures(plainRun)}`);
  console.log(`  the flow adds ${(saturated.cpuPerMessage - plainRun.cpuPerMessage).toFixed(2)} ms of server CPU per message; ${loadAverage()}; messages refused with 503 and sent again: ${refused}`);
} finally {
  await new Promise((done) => server.close(done));
  await runtime.close();
  await visitors.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
