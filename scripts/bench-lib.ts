// What the benchmarks share: the local runtime served on a loopback port, a JSON client for its
// API, percentiles, and the chat benchmarks' model, runtime and knowledge.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchStatements, type GateEntry } from '../functions/adapters/local/priority';
import { ANALYZE_DEBOUNCE_MS } from '../functions/adapters/local/vectors';
import { startLocalRuntime, type LocalRuntime } from '../functions/local-runtime';
import { createHttpServer } from '../functions/server';
import { percentile } from '../functions/lib/percentile';
import { startFakeOpenAI } from '../functions/testing/fake-openai';
import { createUpstashKv, type UpstashPost } from '../functions/adapters/edge/kv';
import { startFakeUpstashOnRedis } from './bench-upstash';
import { httpCall } from './bench-server';

/** The app on 127.0.0.1 (a free port); static files from `frontend`, or 404 without one. */
export async function serveOnLoopback(runtime: LocalRuntime, frontend?: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createHttpServer(runtime, frontend ?? ((_req, res) => res.writeHead(404).end()));
  // On a loaded machine the server's 5 s keep-alive ran out while fetch still meant to reuse the
  // socket (a request sent on a closing connection: ECONNRESET); the benches' clients close theirs.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A JSON call that throws on any non-2xx answer; null for 204. */
export function jsonApi(base: string) {
  return async function api(method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : ((await res.json()) as any);
  };
}

/** The machine's load average, printed beside timed figures: other processes inflate them. */
export function loadAverage(): string {
  return `load average ${loadavg().map((n) => n.toFixed(2)).join(', ')} (1, 5, 15 min)`;
}

export { percentile } from '../functions/lib/percentile';

/**
 * The chat benchmarks' world: a zero-latency OpenAI-compatible model (`compatible:zero-latency`)
 * and the local runtime with jobs, served on loopback, with limits lifted so load is measured
 * rather than refused.
 */
export async function startChatBench(label: string) {
  const llm = await startFakeOpenAI({ recordRequests: false });
  llm.reply = () => 'Según la documentación, el plazo es de 30 días [1].';
  const dataDir = mkdtempSync(join(tmpdir(), `versaai-bench-${label}-`));
  const runtime = await startLocalRuntime({
    dataDir,
    runJobs: true,
    env: {
      COMPATIBLE_BASE_URL: llm.url,
      COMPATIBLE_MODELS: 'zero-latency',
      AUTH_ATTEMPTS_PER_IP: '100000',
      WIDGET_MESSAGES_PER_SESSION: '1000000',
      WIDGET_MESSAGES_PER_IP: '1000000',
    },
  });
  const { server, base } = await serveOnLoopback(runtime);
  return {
    llm,
    runtime,
    server,
    base,
    api: jsonApi(base),
    async close() {
      await new Promise((done) => server.close(done));
      await runtime.close();
      await llm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A help-centre document of `chunks` short articles on ten topics. */
export function knowledgeText(chunks: number): string {
  const topics = ['envíos', 'devoluciones', 'garantía', 'facturas', 'pagos', 'cuenta', 'privacidad', 'horarios', 'tiendas', 'productos'];
  return Array.from({ length: chunks }, (_, i) => {
    const topic = topics[i % topics.length];
    return `## ${topic} ${i}\n\nArtículo ${i} sobre ${topic}: el código de referencia ${topic.slice(0, 3)}-${i} se aplica a los pedidos del lote ${i % 97} y a la región ${i % 17}.`;
  }).join('\n\n');
}

/**
 * Waits until the runtime has gathered statistics the way it does after every ingestion burst
 * (one debounced ANALYZE), so searches run on the plans users get, not on ones the bench made.
 */
export async function settleAfterIngestion(runtime: LocalRuntime) {
  await runtime.idle();
  await new Promise((resolve) => setTimeout(resolve, ANALYZE_DEBOUNCE_MS + 1000));
  await runtime.idle();
}

/**
 * Records every statement through the local database gate (adapters/local/priority.ts) from now
 * until `stop()`: the per-turn statement list with its queue wait and execution time, and the
 * summary a latency run prints beside its figures (what of a turn's time is waiting for the one
 * connection, what is running statements).
 */
export function recordStatements(runtime: LocalRuntime) {
  const entries: GateEntry[] = [];
  const stop = watchStatements(runtime.database.pglite, (entry) => entries.push(entry));
  return {
    entries,
    stop,
    /** One line per statement: wait, run, the SQL's first words. */
    list: () => entries.map((e) => `    wait ${e.waitMs.toFixed(2).padStart(6)} ms  run ${e.execMs.toFixed(2).padStart(6)} ms  ${e.background ? '[job] ' : ''}${e.text.slice(0, 110)}`).join('\n'),
    /** Request statements' wait and run times over a run of `turns` turns. */
    summary(turns: number) {
      const requests = entries.filter((e) => !e.background);
      const waits = requests.map((e) => e.waitMs);
      const runs = requests.map((e) => e.execMs);
      const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
      return (
        `request statements ${(requests.length / turns).toFixed(1)} per turn (+ ${((entries.length - requests.length) / turns).toFixed(1)} background): ` +
        `wait for the connection p50 ${percentile(waits, 0.5).toFixed(2)} / p95 ${percentile(waits, 0.95).toFixed(2)} ms (${(sum(waits) / turns).toFixed(1)} ms per turn), ` +
        `run p50 ${percentile(runs, 0.5).toFixed(2)} / p95 ${percentile(runs, 0.95).toFixed(2)} ms (${(sum(runs) / turns).toFixed(1)} ms per turn)`
      );
    },
  };
}

/**
 * The edge KV adapter's POST to Upstash through a keep-alive node:http client: on Node, a stand-in
 * for workerd's native fetch closer in cost than undici's, whose request and web-stream objects
 * (about 30 KB a call) and client CPU (about 1 ms a call here, against 0.3–0.5) the Worker never pays.
 */
export function nodeUpstashPost(): UpstashPost {
  const agent = new Agent({ keepAlive: true });
  return async (url, headers, body) => {
    const res = await httpCall(url, { method: 'POST', headers, body, agent });
    return { status: res.status, text: res.body };
  };
}

/** redis-server behind the edge suite's fake Upstash REST API, and the edge KV adapter on it. */
export async function startEdgeKv() {
  const fake = await startFakeUpstashOnRedis();
  return { upstash: fake.upstash, kv: createUpstashKv({ url: fake.url, token: fake.token }), close: fake.close };
}

/**
 * With BENCH_CPU_PROFILE=<dir>, a CPU profile of `fn` alone (not the setup around it: ingestion
 * would drown the turns), written as <dir>/<label>.cpuprofile for Chrome DevTools or speedscope.
 */
export async function profiled<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return fn();
  const { Session } = await import('node:inspector/promises');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
