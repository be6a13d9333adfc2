// End-to-end ingestion on the local runtime: a 100-page PDF from upload to `ready` (target < 15 s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '../functions/local-runtime';
import { makePdf } from './fixtures/make-pdf';
import { runAsTheProductRuns } from './product-node';

// The server runs in this process: under the flags `npm start` gives Node (product-node.ts).
if (!(await runAsTheProductRuns(import.meta.url))) process.exit();

const PAGES = 100;
const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-ingest-'));
const runtime = await startLocalRuntime({ dataDir, env: {}, runJobs: true });

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await runtime.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as any;
}

try {
  const pdf = await makePdf(PAGES, { wordsPerPage: 400 });
  const user = await call('POST', '/api/v1/auth/register', undefined, { email: 'bench@example.com', password: 'a-strong-password-1', name: 'Bench' });
  const token = user.accessToken as string;
  await call('POST', '/api/v1/organizations', token, { name: 'Bench' });
  const kb = await call('POST', '/api/v1/knowledge-bases', token, { name: 'Bench' });

  const form = new FormData();
  form.append('file', new File([pdf as BlobPart], 'manual.pdf', { type: 'application/pdf' }));
  const started = performance.now();
  const upload = await runtime.app.request(`/api/v1/knowledge-bases/${kb.id}/documents/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const doc = (await upload.json()) as any;
  if (upload.status !== 202) throw new Error(`upload failed: ${upload.status} ${JSON.stringify(doc)}`);
  const acceptedMs = performance.now() - started;

  let current = doc;
  const deadline = Date.now() + 120_000;
  while (current.status !== 'ready' && current.status !== 'failed' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    current = await call('GET', `/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`, token);
  }
  const totalS = (performance.now() - started) / 1000;
  if (current.status !== 'ready') throw new Error(`document ended ${current.status}: ${current.error}`);
  console.log(`end-to-end ingestion (local runtime, built-in embedder)`);
  console.log(`  ${PAGES}-page PDF (${(pdf.byteLength / 1024).toFixed(0)} KiB, ${current.tokenCount} tokens, ${current.chunkCount} chunks)`);
  console.log(`  upload answered 202 in ${acceptedMs.toFixed(0)} ms; ready after ${totalS.toFixed(2)} s (target < 15 s)`);
} finally {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
