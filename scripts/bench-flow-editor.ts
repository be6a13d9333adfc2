// `npm run bench:flow-editor`: the visual flow editor under load, measured in headless Chromium.
//   - frames per second while panning a 300-node flow (requestAnimationFrame counting), at the
//     zoom that fits the whole flow and at 100 %: target 60 fps; with the main thread's CPU time
//     per pan step (one pointer move, one viewport change) for scripting, style/layout, paint and
//     hit testing, from a Chrome performance trace of the same pan: CPU time, unlike fps and wall
//     time, hardly depends on what else the machine runs;
//   - gzipped size of the dashboard's first-screen JS (entry + preloaded chunks; the editor is a
//     lazy chunk and must not be part of it): target under 200 KB; and the editor chunk's own size.
// The dashboard is built first (vite build) unless BENCH_SKIP_BUILD is set. BENCH_FLOW_NODES
// changes the size; BENCH_FLOW_SCREENSHOT=<file.png> saves a picture of the editor;
// BENCH_FLOW_TRACE=<prefix> saves the pans' traces (<prefix>-fit.json, <prefix>-100.json, with
// CPU samples) to open in Chrome DevTools' Performance panel.
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generateLargeFlow } from '../web/src/lib/flow-editor';
import { buildDashboard, firstScreenScripts, gzippedSize, kb, launchChromium, signIn, startDashboard, traced, webRoot, type FrameCosts } from './bench-browser';

const NODES = Number(process.env.BENCH_FLOW_NODES ?? 300);
const PAN_MS = Number(process.env.BENCH_FLOW_PAN_MS ?? 4000);
const TRACE = process.env.BENCH_FLOW_TRACE;

buildDashboard(!!process.env.BENCH_SKIP_BUILD);
const dashboard = await startDashboard({ label: 'flow-editor', runJobs: false, orgName: 'Bench Flows' });
const { api, base, account } = dashboard;
const bot = await api('POST', '/api/v1/chatbots', account.token, { name: 'Bench bot' });
await api('POST', `/api/v1/chatbots/${bot.id}/flows`, account.token, { name: 'Big flow', document: generateLargeFlow(NODES) });

const browser = await launchChromium();
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
await signIn(page, base, account, 'en');

const editorScripts = new Set<string>();
page.on('response', (r) => {
  if (r.request().resourceType() === 'script') editorScripts.add(new URL(r.url()).pathname);
});
await page.goto(`${base}/chatbots/${bot.id}?tab=flow`);
await page.getByRole('button', { name: 'Open' }).first().click();
await page.locator('.react-flow__node').first().waitFor({ timeout: 60_000 });
await page.waitForTimeout(1500);
if (process.env.BENCH_FLOW_SCREENSHOT) await page.screenshot({ path: process.env.BENCH_FLOW_SCREENSHOT });

/**
 * A point of empty canvas near the middle: a drag that starts on a node would move the node (and
 * measure node dragging), not pan.
 */
async function emptyCanvasPoint(): Promise<{ x: number; y: number }> {
  const point = await page.evaluate<{ x: number; y: number } | null>(`(() => {
    const box = document.querySelector('.react-flow__pane').getBoundingClientRect();
    const busy = '.react-flow__node, .react-flow__edge, .react-flow__handle, .react-flow__minimap, .react-flow__controls, .react-flow__panel';
    for (let r = 0; r < Math.min(box.width, box.height) / 2; r += 8) {
      for (let a = 0; a < 2 * Math.PI; a += Math.PI / 8) {
        const x = box.x + box.width / 2 + Math.cos(a) * r;
        const y = box.y + box.height / 2 + Math.sin(a) * r;
        const el = document.elementFromPoint(x, y);
        if (el && el.closest('.react-flow__pane') && !el.closest(busy)) return { x, y };
      }
    }
    return null;
  })()`);
  if (!point) throw new Error('no empty canvas to start a pan from');
  return point;
}

/** Drag the empty canvas in a circle for PAN_MS while the page counts animation frames. */
async function pan(): Promise<{ fps: number; frames: number; moves: number; rendered: number }> {
  const { x: cx, y: cy } = await emptyCanvasPoint();
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
  let moves = 0;
  while (performance.now() - started < PAN_MS) {
    angle += 0.15;
    moves++;
    await page.mouse.move(cx + Math.cos(angle) * 200, cy + Math.sin(angle) * 150);
  }
  await page.mouse.up();
  if ((await page.locator('.react-flow__node.selected').count()) > 0) throw new Error('the pan grabbed a node');
  const elapsed = (performance.now() - started) / 1000;
  const frames = await page.evaluate<number>('(window.__counting = false, window.__frames)');
  const rendered = await page.locator('.react-flow__node').count();
  return { fps: frames / elapsed, frames, moves, rendered };
}

/**
 * A pan under a trace: fps, and the main thread's CPU time per pan step. Per step, not per frame:
 * how many pointer moves reach the page in PAN_MS depends on the machine's load, and frames with
 * no move in them cost nothing.
 */
async function panMeasured(name: string): Promise<{ fps: number; rendered: number; moves: number; perStep: FrameCosts }> {
  const { result, costs } = await traced(browser, page, pan, TRACE ? `${TRACE}-${name}.json` : undefined);
  const perStep = Object.fromEntries(Object.entries(costs).map(([k, ms]) => [k, ms / Math.max(1, result.moves)])) as FrameCosts;
  return { ...result, perStep };
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
const fitted = await panMeasured('fit');
// 100 %: the zoom people edit at (most nodes off screen; visible ones are rendered as they enter).
const zoomIn = page.locator('.react-flow__controls-zoomin');
for (let i = 0; i < 12 && !(await zoomIn.isDisabled()); i++) await zoomIn.click();
await page.waitForTimeout(500);
const zoomed = await panMeasured('100');
await browser.close();

const entry = firstScreenScripts();
const entryBytes = entry.reduce((sum, path) => sum + gzippedSize(path), 0);
const entrySet = new Set(entry);
const lazyBytes = [...editorScripts].filter((p) => p.startsWith('/assets/') && !entrySet.has(p)).reduce((sum, p) => sum + gzippedSize(p), 0);
const editorChunk = readdirSync(join(webRoot, 'assets')).find((f) => /^flow-tab-.*\.js$/.test(f));
const perStep = (c: FrameCosts) => {
  const total = c.scripting + c.styleLayout + c.paint + c.hitTest;
  return `${total.toFixed(2)} ms CPU per pan step: scripting ${c.scripting.toFixed(2)}, style+layout ${c.styleLayout.toFixed(2)}, paint ${c.paint.toFixed(2)}, hit testing ${c.hitTest.toFixed(2)}`;
};

console.log(`\nbench:flow-editor (${NODES} nodes)`);
console.log(`  idle page (the ceiling on this machine now; load average ${loadavg()[0]!.toFixed(1)}): ${idle.toFixed(1)} fps`);
console.log(`  panning, whole flow in view (${fitted.rendered} nodes rendered): ${fitted.fps.toFixed(1)} fps   target 60: ${fitted.fps >= 58 ? 'met' : 'MISSED'}`);
console.log(`    main thread (${fitted.moves} pan steps): ${perStep(fitted.perStep)}`);
console.log(`  panning at 100 % zoom (${zoomed.rendered} nodes rendered): ${zoomed.fps.toFixed(1)} fps   target 60: ${zoomed.fps >= 58 ? 'met' : 'MISSED'}`);
console.log(`    main thread (${zoomed.moves} pan steps): ${perStep(zoomed.perStep)}`);
console.log(`  first-screen JS (entry + preloaded chunks, ${entry.length} files), gzip: ${kb(entryBytes)}   target < 200 KB: ${entryBytes < 200 * 1024 ? 'met' : 'MISSED'}`);
console.log(`  lazy JS loaded to open the editor, gzip: ${kb(lazyBytes)}${editorChunk ? ` (editor chunk ${editorChunk}: ${kb(gzippedSize(`/assets/${editorChunk}`))})` : ''}`);

await dashboard.close();
process.exit(0);
