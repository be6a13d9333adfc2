// `npm run bench:realtime`: live event fan-out in workerd (`wrangler dev`, the edge suite's stack:
// local Postgres 15 behind the Neon WebSocket proxy, redis-server behind the fake Upstash REST API).
// For each mode, SUBSCRIBERS dashboard SSE streams on one organization, then:
//   - Upstash commands per subscriber per idle minute: commands counted at the fake Upstash over
//     BENCH_REALTIME_IDLE_SECONDS (default 20) with nobody publishing, scaled to a minute;
//   - fan-out: BENCH_REALTIME_EVENTS events (mark-read, one `conversation.updated` each), latency
//     from the event's `createdAt` (set by the publisher) to its arrival at each subscriber, p50/p95.
// Modes: "polling" (wrangler.toml without the Durable Object binding: the SSE route reads Upstash
// every EVENTS_POLL_MS, as before) with BENCH_REALTIME_BEFORE subscribers (default 100: polling
// 1,000 saturates this machine's fake Upstash), then "push" (the Durable Object) with
// BENCH_REALTIME_SUBSCRIBERS (default 1,000). BENCH_REALTIME_BEFORE=0 skips the polling run.
// BENCH_REALTIME_SPACING_MS (default 250) spaces the events. A polling stream ends after
// EVENTS_STREAM_SECONDS (55 s) and this client does not reconnect, so polling's delivered share is
// only indicative. Loopback only; stops by itself.
import { percentile } from './bench-lib';
import { startEdgeStack, type EdgeContext } from '../tests/edge/global-setup';

const SUBSCRIBERS = Number(process.env.BENCH_REALTIME_SUBSCRIBERS ?? 1000);
const BEFORE = Number(process.env.BENCH_REALTIME_BEFORE ?? 100);
const IDLE_SECONDS = Number(process.env.BENCH_REALTIME_IDLE_SECONDS ?? 20);
const EVENTS = Number(process.env.BENCH_REALTIME_EVENTS ?? 20);
const SPACING_MS = Number(process.env.BENCH_REALTIME_SPACING_MS ?? 250);
const CONNECT_CONCURRENCY = 40;

interface Counts {
  total: number;
  byCommand: Record<string, number>;
}

interface Subscriber {
  ready: Promise<void>;
  /** Event id -> ms from its createdAt to its arrival here. */
  latencies: Map<string, number>;
  close(): void;
}

function subscribe(baseUrl: string, token: string): Subscriber {
  const controller = new AbortController();
  const latencies = new Map<string, number>();
  let markReady!: () => void;
  let fail!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  void (async () => {
    const res = await fetch(`${baseUrl}/api/v1/events`, { headers: { Authorization: `Bearer ${token}` }, signal: controller.signal });
    if (res.status !== 200 || !res.body) throw new Error(`subscribe -> ${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      const at = Date.now();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes('event: ready')) markReady();
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!data || !block.includes('event: conversation.updated')) continue;
        const event = JSON.parse(data) as { id: string; createdAt: string };
        latencies.set(event.id, at - Date.parse(event.createdAt));
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) fail(error);
  });
  return { ready, latencies, close: () => controller.abort() };
}

async function upstashCounts(edge: EdgeContext): Promise<Counts> {
  return (await (await fetch(`${edge.upstash.url}/__commands`)).json()) as Counts;
}

function jsonCall(edge: EdgeContext) {
  return async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${edge.baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Origin: edge.baseUrl, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Without the Durable Object binding the Worker polls Upstash as it did before. */
function withoutDurableObjects(toml: string) {
  return toml.replace(/\[\[durable_objects\.bindings\]\][\s\S]*?new_sqlite_classes = \[[^\]]*\]\n/, '');
}

/** The ingestion worker binds the same objects by script name; without them that binding goes too. */
function ingestWithoutDurableObjects(toml: string) {
  return toml.replace(/\[\[durable_objects\.bindings\]\][\s\S]*?script_name = "versaai"\n/, '');
}

async function run(mode: 'polling' | 'push', subscribers: number) {
  const started = Date.now();
  const { context: edge, teardown } = await startEdgeStack(
    mode === 'polling' ? { editToml: withoutDurableObjects, editIngestToml: ingestWithoutDurableObjects } : {},
  );
  const open: Subscriber[] = [];
  try {
    const call = jsonCall(edge);
    const email = `bench-realtime-${crypto.randomUUID()}@example.com`;
    const { accessToken: token } = await call('POST', '/api/v1/auth/register', { email, password: 'correct-horse-battery-staple', name: 'Bench' });
    await call('POST', '/api/v1/organizations', { name: 'Bench realtime' }, token);
    const bot = await call('POST', '/api/v1/chatbots', { name: 'Bench bot' }, token);
    const conversation = await call('POST', '/api/v1/conversations', { botId: bot.id, contact: { name: 'Ana' }, message: 'Hola' }, token);

    const connectStarted = Date.now();
    for (let i = 0; i < subscribers; i += CONNECT_CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, subscribers - i) }, () => subscribe(edge.baseUrl, token));
      open.push(...batch);
      await Promise.all(batch.map((s) => s.ready));
    }
    const connectSeconds = (Date.now() - connectStarted) / 1000;

    const before = await upstashCounts(edge);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const after = await upstashCounts(edge);
    const idleCommands = after.total - before.total;
    const perSubscriberMinute = (idleCommands / subscribers) * (60 / IDLE_SECONDS);

    for (let i = 0; i < EVENTS; i++) {
      await call('POST', `/api/v1/conversations/${conversation.id}/read`, undefined, token);
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
    // Wait (bounded) for every subscriber to have every event.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && open.some((s) => s.latencies.size < EVENTS)) await new Promise((r) => setTimeout(r, 200));
    const latencies = open.flatMap((s) => [...s.latencies.values()]);
    const delivered = latencies.length / (subscribers * EVENTS);

    return {
      mode,
      subscribers,
      connectSeconds,
      idleCommands,
      perSubscriberMinute,
      idleByCommand: Object.fromEntries(Object.entries(after.byCommand).map(([k, v]) => [k, v - (before.byCommand[k] ?? 0)]).filter(([, v]) => (v as number) > 0)),
      p50: percentile(latencies, 0.5) ?? NaN,
      p95: percentile(latencies, 0.95) ?? NaN,
      max: Math.max(...latencies),
      delivered,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const s of open) s.close();
    await teardown();
  }
}

const results = [];
if (BEFORE > 0) results.push(await run('polling', BEFORE));
results.push(await run('push', SUBSCRIBERS));

console.log('\nLive event fan-out in workerd (wrangler dev; local Postgres, redis behind the fake Upstash)');
console.log(`idle window ${IDLE_SECONDS} s, ${EVENTS} events per run (one conversation.updated each, ${SPACING_MS} ms apart)\n`);
for (const r of results) {
  console.log(`${r.mode.padEnd(8)} ${String(r.subscribers).padStart(5)} subscribers (connected in ${r.connectSeconds.toFixed(1)} s)`);
  console.log(`  Upstash commands while idle: ${r.idleCommands} (${JSON.stringify(r.idleByCommand)}) = ${r.perSubscriberMinute.toFixed(2)} per subscriber per minute   (goal 0)`);
  console.log(`  fan-out createdAt -> subscriber: p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, max ${r.max.toFixed(0)} ms   (goal p95 < 200 ms); delivered ${(r.delivered * 100).toFixed(1)}%`);
}
const push = results.find((r) => r.mode === 'push')!;
const ok = push.perSubscriberMinute === 0 && push.p95 < 200 && push.delivered === 1;
console.log(`\n${ok ? 'PASS' : 'FAIL'}: push p95 ${push.p95.toFixed(0)} ms, ${push.perSubscriberMinute} Upstash commands per subscriber per idle minute, ${(push.delivered * 100).toFixed(1)}% delivered`);
process.exit(ok ? 0 : 1);
