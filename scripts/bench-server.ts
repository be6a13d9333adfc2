// What bench:load and bench:health share: the local runtime as users run it (its own process,
// a real HTTP server on a port, a fresh data directory), and an HTTP client that can speak from
// many loopback addresses, so each simulated visitor is its own IP as on the internet.
import { spawn, type ChildProcess } from 'node:child_process';
import { LOOP_STATS_IPC_ENV } from '../functions/adapters/local/loop-monitor';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productNode } from './product-node';
import type { LoopDelayStats, LoopStatsReply, LoopStatsRequest } from '../functions/adapters/local/loop-monitor';
import type { GateStats } from '../functions/adapters/local/priority';
import type { RefusalTimes } from '../functions/adapters/local/door-timing';

export type ServerLoopStats = LoopDelayStats & { gate?: GateStats; refusals?: RefusalTimes };

export interface BenchServer {
  base: string;
  /**
   * The server's event-loop blocking since the previous call (the first call starts the window),
   * with its database gate's figures for the same window.
   */
  loopStats(): Promise<ServerLoopStats>;
  stop(): Promise<void>;
}

/**
 * `node dist/server/server.js` when built (BENCH_SOURCE=1 forces the source), else the source
 * through tsx. Output goes to `logFile`-less stderr only on failure to start.
 */
export async function startBenchServer(port: number, env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-server-'));
  const built = existsSync('dist/server/server.js') && existsSync('dist/server/ingest-worker.js') && !process.env.BENCH_SOURCE;
  // BENCH_SERVER_CPU_PROF=<dir>: a V8 CPU profile of the server, written when it stops.
  const profile = process.env.BENCH_SERVER_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SERVER_CPU_PROF] : [];
  // Node's flags and environment as `npm start` sets them (package.json; product-node.ts).
  const product = productNode();
  const args = [...profile, ...product.flags, ...(built ? ['dist/server/server.js'] : ['--import', 'tsx', 'functions/server.ts'])];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...product.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'production', [LOOP_STATS_IPC_ENV]: '1', ...env },
    // The IPC channel carries the server's event-loop figures (functions/adapters/local/loop-monitor.ts).
    stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'pipe', 'ipc'],
  });
  let nextStatsId = 1;
  const loopStats = (): Promise<ServerLoopStats> =>
    new Promise((resolve, reject) => {
      const id = nextStatsId++;
      const timer = setTimeout(() => reject(new Error('the server did not answer loop-stats')), 30_000);
      const onMessage = (message: LoopStatsReply) => {
        if (message?.type !== 'loop-stats' || message.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve({ ...message.stats, gate: message.gate, refusals: message.refusals });
      };
      child.on('message', onMessage);
      child.send({ type: 'loop-stats', id, reset: true } satisfies LoopStatsRequest);
    });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  const stopChild = ownChild(child);
  // Interrupted (Ctrl-C, a timeout): the server goes with the benchmark.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const base = `http://127.0.0.1:${port}`;
  // A first start runs initdb and the migrations: seconds alone, minutes on a crowded machine.
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${errors}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${errors}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`server: ${built ? 'built (dist/server/server.js)' : 'source (tsx functions/server.ts)'}, node ${product.flags.join(' ')} as npm start runs it, on ${base}, data in ${dataDir}`);
  return {
    base,
    loopStats,
    async stop() {
      // Writing a CPU profile on exit takes a while.
      await stopChild(() => child.kill('SIGTERM'), profile.length ? 60_000 : 5000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Ties `child` to this benchmark: killed if the benchmark exits first. The function returned
 * stops it: asks it to end (`ask`), waits for its exit (at most `graceMs`), then kills what is left.
 */
export function ownChild(child: ChildProcess) {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  return async (ask: () => void, graceMs = Infinity) => {
    process.removeListener('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    ask();
    await (Number.isFinite(graceMs) ? Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]) : exited);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from sending to the status line. */
  headersMs: number;
  /** Milliseconds from sending to the connection being open (the kernel's handshake, not the server's code). */
  connectMs: number;
  /** Milliseconds from sending to the end of the body. */
  totalMs: number;
}

/**
 * One HTTP request from `localAddress` (any 127.x.y.z works on Linux); the whole body as text. A
 * new connection unless an `agent` is given; `onChunk` sees each piece of the body as it arrives,
 * with the milliseconds since sending (an event stream's first event).
 */
export function httpCall(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; localAddress?: string; timeoutMs?: number; agent?: Agent; onChunk?: (text: string, elapsedMs: number) => void },
): Promise<HttpResult> {
  const started = performance.now();
  let connectMs = NaN;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: options.agent ?? false, timeout: options.timeoutMs ?? 120_000 },
      (res) => {
        const headersMs = performance.now() - started;
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          parts.push(chunk);
          options.onChunk?.(chunk.toString('utf8'), performance.now() - started);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8'), headersMs, connectMs, totalMs: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.once('socket', (socket) => socket.once('connect', () => (connectMs = performance.now() - started)));
    req.end(options.body);
  });
}

/**
 * A JSON API client that throws on non-2xx. A new connection per call: a reused keep-alive
 * socket that the server closes as the next request leaves ends in ECONNRESET on a busy machine.
 */
export function benchApi(base: string) {
  return async function api(method: string, path: string, token?: string, body?: unknown) {
    const res = await httpCall(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path} -> ${res.status} ${res.body}`);
    return res.status === 204 ? null : (JSON.parse(res.body) as any);
  };
}

/** Polls a document until it is ready (or throws when it failed). */
export async function waitReady(api: ReturnType<typeof benchApi>, token: string, kbId: string, docId: string, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await api('GET', `/api/v1/knowledge-bases/${kbId}/documents/${docId}`, token);
    if (doc.status === 'ready') return doc;
    if (doc.status === 'failed') throw new Error(`document failed: ${doc.error}`);
    if (Date.now() > deadline) throw new Error(`document not ready after ${timeoutMs} ms (${doc.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Uploads one file through the API (multipart, as the dashboard does); returns the document id. */
export async function uploadFile(base: string, token: string, kbId: string, name: string, bytes: Uint8Array, type: string): Promise<string> {
  const form = new FormData();
  form.append('file', new File([bytes as BlobPart], name, { type }));
  const encoded = new Request(base, { method: 'POST', body: form });
  const res = await httpCall(`${base}/api/v1/knowledge-bases/${kbId}/documents/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': encoded.headers.get('content-type')! },
    body: new Uint8Array(await encoded.arrayBuffer()),
  });
  if (res.status !== 202) throw new Error(`upload ${name} -> ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { id: string }).id;
}
