// `npm run bench:flow-editor`: the visual flow editor under load, measured in headless Chromium.
//   - frames per second while panning a 300-node flow (requestAnimationFrame counting), at the
//     zoom that fits the whole flow and at 100 %: target 60 fps;
//   - gzipped size of the dashboard's first-screen JS (entry + preloaded chunks; the editor is a
//     lazy chunk and must not be part of it): target under 200 KB; and the editor chunk's own size.
// The dashboard is built first (vite build) unless BENCH_SKIP_BUILD is set. When the server has no
// flows API yet, the flow endpoints are answered inside the browser (page.route) from memory, so
// the figure is the editor's, not the server's. BENCH_FLOW_NODES changes the size;
// BENCH_FLOW_SCREENSHOT=<file.png> saves a picture of the editor.
import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { startLocalRuntime } from '../functions/local-runtime';
import { serveStatic } from '../functions/server';
import { generateLargeFlow } from '../web/src/lib/flow-editor';
import { jsonApi, serveOnLoopback } from './bench-lib';

const NODES = Number(process.env.BENCH_FLOW_NODES ?? 300);
const PAN_MS = Number(process.env.BENCH_FLOW_PAN_MS ?? 4000);
const root = resolve(import.meta.dirname, '..');
const webRoot = join(root, 'dist', 'web');

if (!process.env.BENCH_SKIP_BUILD) {
  console.log('building the dashboard (vite build)…');
  execSync('npm run build:web', { cwd: root, stdio: 'ignore' });
}

const gzipped = (path: string) => gzipSync(readFileSync(join(webRoot, path)), { level: 6 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function entryScripts() {
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  const srcs = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set(srcs)];
}

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-flow-editor-'));
const runtime = await startLocalRuntime({ dataDir, runJobs: false, env: { AUTH_ATTEMPTS_PER_IP: '100000' } });
const { server, base } = await serveOnLoopback(runtime, (req, res) => serveStatic(webRoot, req, res));
const api = jsonApi(base);

const email = `bench-flows-${Date.now()}@example.com`;
const password = 'a-strong-password-1';
const user = await api('POST', '/api/v1/auth/register', undefined, { email, password, name: 'Bench Agent' });
await api('POST', '/api/v1/organizations', user.accessToken, { name: 'Bench Flows' });
const bot = await api('POST', '/api/v1/chatbots', user.accessToken, { name: 'Bench bot' });
const document = generateLargeFlow(NODES);

// The real API when the server has it; otherwise an in-browser stand-in (see the header).
let mocked = false;
try {
  await api('POST', `/api/v1/chatbots/${bot.id}/flows`, user.accessToken, { name: 'Big flow', document });
} catch (e) {
  if (!String(e).includes('-> 404')) throw e;
  mocked = true;
}

async function mockFlowsApi(page: Page) {
  const now = new Date().toISOString();
  const flow = { id: '00000000-0000-4000-8000-000000000001', botId: bot.id, name: 'Big flow', description: null, isEntry: true, draft: document, draftRevision: 1, publishedVersion: null, createdAt: now, updatedAt: now };
  await page.route(/\/api\/v1\/(chatbots\/[^/]+\/flows|flow-templates)/, async (route) => {
    const url = new URL(route.request().url());
    const method = route.request().method();
    const json = (body: unknown, status = 200) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (url.pathname.endsWith('/flow-templates')) return json({ data: [] });
    if (url.pathname.endsWith('/flows')) return json({ data: [flow] });
    if (url.pathname.endsWith('/validate')) return json({ issues: [] });
    if (url.pathname.endsWith('/versions')) return json({ data: [] });
    if (url.pathname.endsWith('/analytics')) return json({ nodes: [], outcomes: { completed: 0, handedOff: 0, abandoned: 0 } });
    if (url.pathname.endsWith('/draft') && method === 'PUT') {
      flow.draft = JSON.parse(route.request().postData() ?? '{}').document;
      flow.draftRevision++;
      return json(flow);
    }
    return json(flow);
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
if (mocked) await mockFlowsApi(page);
await page.goto(`${base}/sign-in`);
await page.getByLabel('Email').fill(email);
await page.getByLabel('Password', { exact: true }).fill(password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { level: 1, name: 'Bench Flows' }).waitFor();

const editorScripts = new Set<string>();
page.on('response', (r) => {
  if (r.request().resourceType() === 'script') editorScripts.add(new URL(r.url()).pathname);
});
await page.goto(`${base}/chatbots/${bot.id}?tab=flow`);
await page.getByRole('button', { name: 'Open' }).first().click();
await page.locator('.react-flow__node').first().waitFor({ timeout: 60_000 });
await page.waitForTimeout(1500);
if (process.env.BENCH_FLOW_SCREENSHOT) await page.screenshot({ path: process.env.BENCH_FLOW_SCREENSHOT });

/** Drag the empty canvas in a circle for PAN_MS while the page counts animation frames. */
async function panFps(): Promise<{ fps: number; rendered: number }> {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas');
  const cx = pane.x + pane.width / 2;
  const cy = pane.y + pane.height / 2;
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = 0;
    window.__counting = true;
    const tick = () => {
      if (!window.__counting) return;
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const started = performance.now();
  let angle = 0;
  while (performance.now() - started < PAN_MS) {
    angle += 0.15;
    await page.mouse.move(cx + Math.cos(angle) * 200, cy + Math.sin(angle) * 150);
  }
  await page.mouse.up();
  const elapsed = (performance.now() - started) / 1000;
  const frames = await page.evaluate<number>('(window.__counting = false, window.__frames)');
  const rendered = await page.locator('.react-flow__node').count();
  return { fps: frames / elapsed, rendered };
}

/** Frames the page gets with nothing happening: the ceiling on this machine, right now. */
async function idleFps(): Promise<number> {
  const frames = await page.evaluate<number>(`new Promise((done) => {
    let n = 0;
    const end = performance.now() + 2000;
    const tick = () => (performance.now() < end ? (n++, requestAnimationFrame(tick)) : done(n));
    requestAnimationFrame(tick);
  })`);
  return frames / 2;
}

const idle = await idleFps();
const fitted = await panFps();
// 100 %: the zoom people edit at (most nodes off screen; visible ones are rendered as they enter).
const zoomIn = page.locator('.react-flow__controls-zoomin');
for (let i = 0; i < 12 && !(await zoomIn.isDisabled()); i++) await zoomIn.click();
await page.waitForTimeout(500);
const zoomed = await panFps();
await browser.close();

const entry = entryScripts();
const entryBytes = entry.reduce((sum, path) => sum + gzipped(path), 0);
const entrySet = new Set(entry);
const lazyBytes = [...editorScripts].filter((p) => p.startsWith('/assets/') && !entrySet.has(p)).reduce((sum, p) => sum + gzipped(p), 0);
const editorChunk = readdirSync(join(webRoot, 'assets')).find((f) => /^flow-tab-.*\.js$/.test(f));

console.log(`\nbench:flow-editor (${NODES} nodes${mocked ? ', flows API answered in the browser: the server has none yet' : ''})`);
console.log(`  idle page (the ceiling on this machine now; load average ${loadavg()[0]!.toFixed(1)}): ${idle.toFixed(1)} fps`);
console.log(`  panning, whole flow in view (${fitted.rendered} nodes rendered): ${fitted.fps.toFixed(1)} fps   target 60: ${fitted.fps >= 58 ? 'met' : 'MISSED'}`);
console.log(`  panning at 100 % zoom (${zoomed.rendered} nodes rendered): ${zoomed.fps.toFixed(1)} fps   target 60: ${zoomed.fps >= 58 ? 'met' : 'MISSED'}`);
console.log(`  first-screen JS (entry + preloaded chunks, ${entry.length} files), gzip: ${kb(entryBytes)}   target < 200 KB: ${entryBytes < 200 * 1024 ? 'met' : 'MISSED'}`);
console.log(`  lazy JS loaded to open the editor, gzip: ${kb(lazyBytes)}${editorChunk ? ` (editor chunk ${editorChunk}: ${kb(gzipped(`/assets/${editorChunk}`))})` : ''}`);

await new Promise((done) => server.close(done));
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
