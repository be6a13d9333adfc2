// What the browser benchmarks (bench:web, bench:flow-editor) share: the built dashboard served by
// the local runtime on loopback, an account to sign in with, headless Chromium, the first-screen
// JS measure, and frame costs read from a Chrome performance trace.
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startLocalRuntime } from '../functions/local-runtime';
import { serveStatic } from '../functions/server';
import { jsonApi, serveOnLoopback } from './bench-lib';

export const repoRoot = resolve(import.meta.dirname, '..');
export const webRoot = join(repoRoot, 'dist', 'web');

/** Builds the dashboard (vite build) unless `skip`: the figures are for what ships. */
export function buildDashboard(skip: boolean) {
  if (skip) return;
  console.log('building the dashboard (vite build)…');
  execSync('npm run build:web', { cwd: repoRoot, stdio: 'ignore' });
}

export const gzippedSize = (path: string) => gzipSync(readFileSync(join(webRoot, path)), { level: 6 }).length;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The scripts the first screen needs: index.html's entry and its modulepreloads. */
export function firstScreenScripts(): string[] {
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  const srcs = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set(srcs)];
}

/** The local runtime with the built dashboard on a loopback port, and a fresh account on it. */
export async function startDashboard(options: { label: string; runJobs: boolean; orgName: string }) {
  const dataDir = mkdtempSync(join(tmpdir(), `versaai-bench-${options.label}-`));
  const runtime = await startLocalRuntime({ dataDir, runJobs: options.runJobs, env: { AUTH_ATTEMPTS_PER_IP: '100000' } });
  const { server, base } = await serveOnLoopback(runtime, (req, res) => serveStatic(webRoot, req, res));
  const api = jsonApi(base);
  const email = `bench-${options.label}-${Date.now()}@example.com`;
  const password = 'a-strong-password-1';
  const user = await api('POST', '/api/v1/auth/register', undefined, { email, password, name: 'Bench Agent' });
  const org = await api('POST', '/api/v1/organizations', user.accessToken, { name: options.orgName });
  return {
    runtime,
    base,
    api,
    account: { email, password, token: user.accessToken as string, orgId: org.id as string, orgName: options.orgName },
    async close() {
      await new Promise((done) => server.close(done));
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

const SIGN_IN_LABELS = {
  es: { email: 'Correo electrónico', password: 'Contraseña', submit: 'Iniciar sesión' },
  en: { email: 'Email', password: 'Password', submit: 'Sign in' },
};

/** Signs in through the form (in the page's language) and waits for the organization's home. */
export async function signIn(page: Page, base: string, account: { email: string; password: string; orgName: string }, language: 'es' | 'en') {
  const labels = SIGN_IN_LABELS[language];
  await page.goto(`${base}/sign-in`);
  await page.getByLabel(labels.email).fill(account.email);
  await page.getByLabel(labels.password, { exact: true }).fill(account.password);
  await page.getByRole('button', { name: labels.submit }).click();
  await page.getByRole('heading', { level: 1, name: account.orgName }).waitFor();
}

// ---- frame costs from a Chrome trace ---------------------------------------------------------------

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** CPU time of the thread (wall time `dur` also counts the time other processes had the core). */
  tdur?: number;
  args?: { name?: string };
}

/** Main-thread work, by the DevTools categories the Performance panel shows. */
const KINDS = {
  scripting: new Set(['FunctionCall', 'EvaluateScript', 'EventDispatch', 'TimerFire', 'FireAnimationFrame', 'RunMicrotasks', 'v8.callFunction', 'V8.Execute']),
  styleLayout: new Set(['UpdateLayoutTree', 'Layout', 'RecalculateStyles', 'UpdateLayerTree', 'PrePaint']),
  paint: new Set(['Paint', 'PaintImage', 'Layerize', 'Commit']),
  // Finding the element under the pointer, for every pointer event of a drag: grows with the DOM.
  hitTest: new Set(['HitTest']),
};
export type FrameCosts = Record<keyof typeof KINDS, number>;

/** CPU time of events that may nest (an EventDispatch holds FunctionCalls): an event inside a counted one is not counted again. */
function cpuTime(events: TraceEvent[]): number {
  events.sort((a, b) => a.ts - b.ts);
  let total = 0;
  let end = -Infinity;
  for (const e of events) {
    const wallEnd = e.ts + (e.dur ?? 0);
    if (wallEnd <= end) continue;
    total += e.tdur ?? e.dur ?? 0;
    end = wallEnd;
  }
  return total;
}

/**
 * Milliseconds of main-thread CPU time for scripting, style/layout, paint and hit testing in a trace
 * (the busiest renderer). CPU time, not wall time: on a loaded machine an event's wall time also
 * counts the time the thread waited for a core (a 621 ms pointer event that ran for 0.8 ms).
 */
export function mainThreadCosts(trace: { traceEvents: TraceEvent[] }): FrameCosts {
  const mains = new Set(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || !mains.has(key)) continue;
    byThread.set(key, [...(byThread.get(key) ?? []), e]);
  }
  // The page under test is the renderer that did the most; others are idle extension-less helpers.
  const events = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const costs = {} as FrameCosts;
  for (const [kind, names] of Object.entries(KINDS) as Array<[keyof FrameCosts, Set<string>]>) {
    costs[kind] = cpuTime(events.filter((e) => names.has(e.name))) / 1000;
  }
  return costs;
}

/** Runs `action` under a Chrome performance trace; saves it to `savePath` (open in DevTools) when given. */
export async function traced<T>(browser: Browser, page: Page, action: () => Promise<T>, savePath?: string): Promise<{ result: T; costs: FrameCosts }> {
  const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', ...(savePath ? ['disabled-by-default-v8.cpu_profiler'] : [])];
  await browser.startTracing(page, { categories });
  const result = await action();
  const buffer = await browser.stopTracing();
  if (savePath) writeFileSync(savePath, buffer);
  return { result, costs: mainThreadCosts(JSON.parse(buffer.toString('utf8'))) };
}
