// `npm run bench:health`: how `/health` answers while heavy ingestion runs, on the local runtime
// as users run it (its own process). Uploads a generated BENCH_HEALTH_PAGES-page PDF (2,000)
// and a BENCH_HEALTH_ROWS-row CSV (1,000,000) through the API and probes `/health` every 50 ms
// until both are `ready`; prints p50/p95/p99/max (target p99 < 50 ms) and the ingestion times.
import { makePdf } from './fixtures/make-pdf';
import { formatGateStats, formatLoopDelay } from '../functions/adapters/local/loop-monitor';
import { loadAverage, percentile } from './bench-lib';
import { benchApi, httpCall, startBenchServer, uploadFile } from './bench-server';

const PORT = Number(process.env.BENCH_PORT ?? 4644);
const PAGES = Number(process.env.BENCH_HEALTH_PAGES ?? 2000);
const ROWS = Number(process.env.BENCH_HEALTH_ROWS ?? 1_000_000);
const PROBE_MS = 50;

function makeCsv(rows: number): Uint8Array {
  const lines = ['sku,producto,precio'];
  for (let i = 0; i < rows; i++) lines.push(`${i},Art ${i % 977},${(i % 9973) / 100}`);
  return new TextEncoder().encode(lines.join('\n'));
}

console.log(`generating fixtures: a ${PAGES}-page PDF and a ${ROWS.toLocaleString('en')}-row CSV…`);
const pdf = await makePdf(PAGES);
const csv = makeCsv(ROWS);
console.log(`  PDF ${(pdf.byteLength / 1024 / 1024).toFixed(1)} MB, CSV ${(csv.byteLength / 1024 / 1024).toFixed(1)} MB`);

const server = await startBenchServer(PORT, { AUTH_ATTEMPTS_PER_IP: '100000' });
try {
  const api = benchApi(server.base);
  const user = await api('POST', '/api/v1/auth/register', undefined, { email: 'bench@example.com', password: 'a-strong-password-1', name: 'Bench' });
  let token = user.accessToken as string;
  // Access tokens live 15 minutes; a slow machine ingests for longer: sign in again when asked.
  const login = async () => (token = (await api('POST', '/api/v1/auth/login', undefined, { email: 'bench@example.com', password: 'a-strong-password-1' })).accessToken);
  const documentStatus = async (id: string) => {
    try {
      return await api('GET', `/api/v1/knowledge-bases/${kb.id}/documents/${id}`, token);
    } catch (error) {
      if (!String(error).includes('token_expired')) throw error;
      await login();
      return api('GET', `/api/v1/knowledge-bases/${kb.id}/documents/${id}`, token);
    }
  };
  await api('POST', '/api/v1/organizations', token, { name: 'Bench' });
  const kb = await api('POST', '/api/v1/knowledge-bases', token, { name: 'Bench' });

  // Health probes run from the start of the uploads to the end of both ingestions.
  const probes: number[] = [];
  const failures: string[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        const res = await httpCall(`${server.base}/health`, { timeoutMs: 30_000 });
        probes.push(res.totalMs);
        if (res.status !== 200) failures.push(`HTTP ${res.status}`);
      } catch (error) {
        probes.push(performance.now() - started);
        failures.push(String(error));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, PROBE_MS - (performance.now() - started))));
    }
  })();

  console.log(`before: ${loadAverage()}`);
  await server.loopStats();
  const started = performance.now();
  const documents = [
    { name: 'manual.pdf', id: await uploadFile(server.base, token, kb.id, 'manual.pdf', pdf, 'application/pdf') },
    { name: 'catalogo.csv', id: await uploadFile(server.base, token, kb.id, 'catalogo.csv', csv, 'text/csv') },
  ];
  const uploadedMs = performance.now() - started;
  const readyAfter = new Map<string, { seconds: number; chunks: number }>();
  while (readyAfter.size < documents.length) {
    for (const doc of documents) {
      if (readyAfter.has(doc.name)) continue;
      const current = await documentStatus(doc.id);
      if (current.status === 'failed') throw new Error(`${doc.name} failed: ${current.error}`);
      if (current.status === 'ready') readyAfter.set(doc.name, { seconds: (performance.now() - started) / 1000, chunks: current.chunkCount });
    }
    await new Promise((r) => setTimeout(r, 1000));
    if (probes.length > 0 && probes.length % 600 < 20) {
      console.log(`  … ${((performance.now() - started) / 1000).toFixed(0)} s: /health so far p50 ${percentile(probes, 0.5).toFixed(1)} ms, p99 ${percentile(probes, 0.99).toFixed(1)} ms, max ${Math.max(...probes).toFixed(1)} ms; ${loadAverage()}`);
    }
  }
  probing = false;
  await prober;
  const loop = await server.loopStats();

  console.log(`ingestion (both uploaded in ${(uploadedMs / 1000).toFixed(1)} s, then processed together):`);
  for (const [name, { seconds, chunks }] of readyAfter) console.log(`  ${name}: ready after ${seconds.toFixed(1)} s, ${chunks.toLocaleString('en')} chunks`);
  console.log(`/health while ingesting (${probes.length} probes every ${PROBE_MS} ms, ${failures.length} failed${failures.length ? `: ${failures.slice(0, 3).join(' | ')}` : ''}):`);
  console.log(`  p50 ${percentile(probes, 0.5).toFixed(1)} ms, p95 ${percentile(probes, 0.95).toFixed(1)} ms, p99 ${percentile(probes, 0.99).toFixed(1)} ms (target < 50 ms), max ${Math.max(...probes).toFixed(1)} ms`);
  console.log(`server ${formatLoopDelay(loop)}`);
  console.log(formatGateStats(loop.gate));
  console.log(`after: ${loadAverage()}`);
} finally {
  await server.stop();
}
