// `npm run bench:outbound`: the Node outbound port's cost per request, what a flow's API call node
// pays (host.http): a GET of a small JSON body from a zero-latency server on loopback, and a POST
// of a small JSON body (a webhook's size), through
//   - old: `outbound.fetch()` + `response.text()` (Node's fetch: undici's fetch spec machinery,
//     WHATWG streams, a Response per call), what host.http did before `fetchText`;
//   - new: `outbound.fetchText()` (`agent.request` on the same Agent and guarded connector).
// Two views, both as this process's CPU time (user + system, JIT threads included) and wall time
// per request:
//   - warm: both paths in this one process after a warm-up, alternated in batches (old, new, old,
//     new ...), medians over the batches: the steady state of a long-running server;
//   - young: fresh processes, one path each, alternated, requests 11–100 and 101–400 of each
//     process: what a server sees while its JIT has not caught up (a bench:flows run makes a few
//     hundred API calls), medians over the processes.
// The server runs in a process of its own, so the CPU time is the client's alone. On a shared
// machine the CPU time is the figure to compare; the load average is printed beside it.
// BENCH_OUTBOUND_N sets the warm requests per path and method (default 2000), BENCH_OUTBOUND_YOUNG
// the fresh processes per path (default 5).
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNodeOutbound } from '../functions/adapters/local/outbound';
import { loadAverage, percentile } from './bench-lib';
import { ownChild } from './bench-server';

const N = Number(process.env.BENCH_OUTBOUND_N ?? 2000);
const YOUNG = Number(process.env.BENCH_OUTBOUND_YOUNG ?? 5);
const BATCH = 10;
const BODY = '{"order":{"status":"shipped"}}';

type Get = (url: string) => Promise<string>;
function paths(outbound: ReturnType<typeof createNodeOutbound>, signal: AbortSignal) {
  const maxBytes = 1_000_000;
  const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"flow.event","data":{"email":"ana@example.com"}}' };
  return {
    'GET old (fetch + text)': async (url) => (await outbound.fetch(url, { method: 'GET', headers: {}, signal, timeoutMs: 2000, maxBytes })).text(),
    'GET new (fetchText)': async (url) => (await outbound.fetchText(url, { method: 'GET', headers: {}, signal, timeoutMs: 2000, maxBytes })).body,
    'POST old (fetch + text)': async (url) => (await outbound.fetch(url, { ...post, signal, timeoutMs: 2000, maxBytes })).text(),
    'POST new (fetchText)': async (url) => (await outbound.fetchText(url, { ...post, signal, timeoutMs: 2000, maxBytes })).body,
  } satisfies Record<string, Get>;
}
type PathName = keyof ReturnType<typeof paths>;

interface Span {
  wallMs: number;
  cpuMs: number;
}
async function measure(run: () => Promise<unknown>, count: number): Promise<Span> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) await run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpuStart);
  return { wallMs: wallMs / count, cpuMs: (used.user + used.system) / 1000 / count };
}

// A young process: one path, from its first request.
if (process.argv[2] === 'young') {
  const [name, url] = [process.argv[3] as PathName, process.argv[4]];
  const run = paths(createNodeOutbound({ policy: { allowPrivate: true } }), new AbortController().signal)[name];
  await measure(() => run(url), 10);
  const early = await measure(() => run(url), 90);
  const later = await measure(() => run(url), 300);
  process.send!({ early, later });
  process.exit(0);
}

const serverSource = `
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(${JSON.stringify(BODY)}));
});
server.keepAliveTimeout = 600000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('disconnect', () => process.exit(0));`;

const child = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const stopChild = ownChild(child);
const port = await new Promise<number>((resolve) => child.stdout!.once('data', (data) => resolve(Number(String(data).trim()))));
const url = `http://127.0.0.1:${port}/orders?email=ana%40example.com`;

const warmPaths = paths(createNodeOutbound({ policy: { allowPrivate: true } }), new AbortController().signal);
const names = Object.keys(warmPaths) as PathName[];

for (const name of names) {
  const body = await warmPaths[name](url);
  if (body !== BODY) throw new Error(`${name} read ${JSON.stringify(body)}`);
}
// Warm-up: the JIT, the connection pool.
for (let i = 0; i < 300; i++) for (const name of names) await warmPaths[name](url);

const wall = new Map(names.map((name) => [name, [] as number[]]));
const cpu = new Map(names.map((name) => [name, [] as number[]]));
for (let batch = 0; batch < N / BATCH; batch++) {
  for (const name of batch % 2 ? [...names].reverse() : names) {
    const span = await measure(() => warmPaths[name](url), BATCH);
    wall.get(name)!.push(span.wallMs);
    cpu.get(name)!.push(span.cpuMs);
  }
}

console.log(`outbound port on Node, loopback, ${N} requests per line in batches of ${BATCH}, alternated; per request, median over batches (p90 in brackets)`);
for (const name of names) {
  const w = wall.get(name)!;
  const c = cpu.get(name)!;
  console.log(`  ${name.padEnd(24)} wall ${percentile(w, 0.5).toFixed(3)} ms (${percentile(w, 0.9).toFixed(3)})   CPU ${percentile(c, 0.5).toFixed(3)} ms (${percentile(c, 0.9).toFixed(3)})`);
}
for (const method of ['GET', 'POST'] as const) {
  const ratio = percentile(cpu.get(`${method} old (fetch + text)`)!, 0.5) / percentile(cpu.get(`${method} new (fetchText)`)!, 0.5);
  console.log(`  ${method}: new takes 1/${ratio.toFixed(1)} of the old path's CPU`);
}
console.log(`  ${loadAverage()}`);

const young = new Map(names.map((name) => [name, [] as Array<{ early: Span; later: Span }>]));
const script = fileURLToPath(import.meta.url);
for (let round = 0; round < YOUNG; round++) {
  for (const name of round % 2 ? [...names].reverse() : names) {
    const child = fork(script, ['young', name, url], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const stop = ownChild(child);
    young.get(name)!.push(await new Promise((resolve, reject) => child.once('message', resolve).once('exit', (code) => reject(new Error(`${name}: exited ${code}`)))));
    await stop(() => {}, 5000);
  }
}
const show = (spans: Span[]) =>
  `wall ${percentile(spans.map((s) => s.wallMs), 0.5).toFixed(3)} ms, CPU ${percentile(spans.map((s) => s.cpuMs), 0.5).toFixed(3)} ms`;
console.log(`young processes (${YOUNG} per line, alternated), per request, median over processes:`);
for (const name of names) {
  const runs = young.get(name)!;
  console.log(`  ${name.padEnd(24)} requests 11–100: ${show(runs.map((r) => r.early))}   101–400: ${show(runs.map((r) => r.later))}`);
}
console.log(`  ${loadAverage()}`);

await stopChild(() => child.disconnect(), 2000);
process.exit(0);
