// `npm run bench:outbound`: the Node outbound port's cost per request, what a flow's API call node
// pays (host.http): a GET of a small JSON body from a zero-latency server on loopback, and a POST
// of a small JSON body (a webhook's size), through
//   - old: `outbound.fetch()` + `response.text()` (Node's fetch: undici's fetch spec machinery,
//     WHATWG streams, a Response per call), what host.http did before `fetchText`;
//   - new: `outbound.fetchText()` (`agent.request` on the same Agent and guarded connector).
// Both run in this one process, alternated in batches (old, new, old, new ...), and the figures
// are medians over the batches: wall time and this process's CPU time (user + system) per request.
// The server runs in a child process, so the CPU time is the client's alone. On a shared machine
// the CPU time is the figure to compare; the load average is printed beside it.
// BENCH_OUTBOUND_N sets the requests per path and method (default 2000).
import { spawn } from 'node:child_process';
import { createNodeOutbound } from '../functions/adapters/local/outbound';
import { loadAverage, percentile } from './bench-lib';
import { ownChild } from './bench-server';

const N = Number(process.env.BENCH_OUTBOUND_N ?? 2000);
const BATCH = 10;
const BODY = '{"order":{"status":"shipped"}}';

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

const outbound = createNodeOutbound({ policy: { allowPrivate: true } });
const turn = new AbortController();
const maxBytes = 1_000_000;
const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"flow.event","data":{"email":"ana@example.com"}}' };

const paths: Record<string, () => Promise<string>> = {
  'GET old (fetch + text)': async () => (await outbound.fetch(url, { method: 'GET', headers: {}, signal: turn.signal, timeoutMs: 2000, maxBytes })).text(),
  'GET new (fetchText)': async () => (await outbound.fetchText(url, { method: 'GET', headers: {}, signal: turn.signal, timeoutMs: 2000, maxBytes })).body,
  'POST old (fetch + text)': async () => (await outbound.fetch(url, { ...post, signal: turn.signal, timeoutMs: 2000, maxBytes })).text(),
  'POST new (fetchText)': async () => (await outbound.fetchText(url, { ...post, signal: turn.signal, timeoutMs: 2000, maxBytes })).body,
};
const names = Object.keys(paths);

for (const name of names) {
  const body = await paths[name]();
  if (body !== BODY) throw new Error(`${name} read ${JSON.stringify(body)}`);
}
// Warm-up: the JIT, the connection pool.
for (let i = 0; i < 300; i++) for (const name of names) await paths[name]();

const wall = new Map(names.map((name) => [name, [] as number[]]));
const cpu = new Map(names.map((name) => [name, [] as number[]]));
for (let batch = 0; batch < N / BATCH; batch++) {
  for (const name of batch % 2 ? [...names].reverse() : names) {
    const run = paths[name];
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) await run();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    wall.get(name)!.push(elapsed / BATCH);
    cpu.get(name)!.push((used.user + used.system) / 1000 / BATCH);
  }
}

console.log(`outbound port on Node, loopback, ${N} requests per line in batches of ${BATCH}, alternated; per request, median over batches (p90 in brackets)`);
for (const name of names) {
  const w = wall.get(name)!;
  const c = cpu.get(name)!;
  console.log(`  ${name.padEnd(24)} wall ${percentile(w, 0.5).toFixed(3)} ms (${percentile(w, 0.9).toFixed(3)})   CPU ${percentile(c, 0.5).toFixed(3)} ms (${percentile(c, 0.9).toFixed(3)})`);
}
for (const method of ['GET', 'POST']) {
  const ratio = percentile(cpu.get(`${method} old (fetch + text)`)!, 0.5) / percentile(cpu.get(`${method} new (fetchText)`)!, 0.5);
  console.log(`  ${method}: new takes 1/${ratio.toFixed(1)} of the old path's CPU`);
}
console.log(`  ${loadAverage()}`);

await stopChild(() => child.disconnect(), 2000);
process.exit(0);
