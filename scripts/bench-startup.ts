// `npm run bench:startup`: how long `npm start` and `npm run dev` take to serve, and how much
// memory they hold once idle, side by side in one run.
//   cold: a new data directory (initdb), and for dev no server bundle or Vite dependency cache
//   warm: the same again with everything from the cold run in place
// Measured: seconds from spawn to the first 200 on /health; for dev also to the dashboard's
// sign-in page rendered in Chromium; the RSS of the whole process tree (server and children,
// from /proc) a few seconds after it is ready; and whether the terminal said what it was doing
// before it was ready. Needs `npm run build` (for `npm start`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from '@playwright/test';

const DEADLINE_MS = 180_000;
const IDLE_SETTLE_MS = 5_000;
const PORT = Number(process.env.BENCH_PORT ?? 4700);
const root = resolve(import.meta.dirname, '..');
const SCRIPTS = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const TARGETS = {
  startWarmSeconds: 1.5,
  startRssMiB: 200,
  devDashboardWarmSeconds: 5,
  devRssMiB: 500,
};

interface Run {
  mode: 'npm start' | 'npm run dev';
  temperature: 'cold' | 'warm';
  healthSeconds: number;
  dashboardSeconds: number | null;
  rssMiB: number;
  progressLines: number;
  /**
   * CPU seconds the process tree used until it was ready (dev: until the dashboard rendered), and
   * those of its busiest process: with the work spread over processes, the latter bounds the wall
   * time on a quiet machine with enough cores.
   */
  cpuSeconds: { total: number; busiest: number };
  /** Seconds from spawn at which the server printed each milestone (null: never printed). */
  said: Record<Milestone, number | null>;
  page: PageTimings | null;
}

/** What the browser saw while the sign-in page loaded (dev only). */
interface PageTimings {
  /** Seconds from spawn to the first response to the page's HTML. */
  htmlSeconds: number;
  /** Requests the page made for the dashboard's code (scripts, modules, styles) until it rendered. */
  moduleRequests: number;
  /** Of those, requests for pre-bundled dependencies (node_modules/.vite/deps). */
  dependencyRequests: number;
}

/** The server's progress lines the breakdown reads, by the words that start them. */
const MILESTONES = {
  listening: /Listening on /,
  viteReady: /Vite ready/,
  ready: /Dashboard ready/,
} as const;
type Milestone = keyof typeof MILESTONES;

/** Every process whose parent chain reaches `pid`, including itself. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.includes(parent) && !tree.includes(child)) {
        tree.push(child);
        grew = true;
      }
    }
  }
  return tree;
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) the process tree has used so far, children that already exited
 * included: unlike wall time, it hardly moves with the machine's load, so it compares runs on a
 * busy machine.
 */
function treeCpuSeconds(pid: number): { total: number; busiest: number } {
  let total = 0;
  let busiest = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields 14-17 (utime, stime, cutime, cstime), counted after the command name's ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
      total += ticks;
      busiest = Math.max(busiest, ticks);
    } catch {
      // exited meanwhile
    }
  }
  return { total: total / CLOCK_TICKS_PER_SECOND, busiest: busiest / CLOCK_TICKS_PER_SECOND };
}

function treeRssMiB(pid: number): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}

async function waitForHealth(started: number, child: ChildProcess): Promise<number> {
  while (performance.now() - started < DEADLINE_MS) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before answering /health`);
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/health`);
      if (res.status === 200) return (performance.now() - started) / 1000;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no 200 on /health within ${DEADLINE_MS / 1000} s`);
}

const CODE_RESOURCES = new Set(['script', 'stylesheet']);

/** Seconds from `started` until the sign-in page (the dashboard's first screen) is on screen. */
async function waitForDashboard(browser: Browser, started: number): Promise<{ seconds: number; page: PageTimings }> {
  const page = await browser.newPage({ locale: 'es-ES' });
  let htmlSeconds = NaN;
  let moduleRequests = 0;
  let dependencyRequests = 0;
  page.on('response', (response) => {
    if (Number.isNaN(htmlSeconds) && response.request().resourceType() === 'document') htmlSeconds = (performance.now() - started) / 1000;
  });
  page.on('request', (request) => {
    if (!CODE_RESOURCES.has(request.resourceType())) return;
    moduleRequests++;
    if (request.url().includes('/node_modules/.vite/deps/')) dependencyRequests++;
  });
  try {
    while (performance.now() - started < DEADLINE_MS) {
      try {
        await page.goto(`http://localhost:${PORT}/`, { timeout: DEADLINE_MS });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await page.getByRole('heading', { name: 'Hola de nuevo' }).waitFor({ timeout: DEADLINE_MS });
    return { seconds: (performance.now() - started) / 1000, page: { htmlSeconds, moduleRequests, dependencyRequests } };
  } finally {
    await page.close();
  }
}

/** Records, by the bench's clock, when each milestone line first appears in the output. */
function watchMilestones(started: number) {
  const said = Object.fromEntries(Object.keys(MILESTONES).map((name) => [name, null])) as Record<Milestone, number | null>;
  return {
    said,
    read(output: string) {
      for (const [name, pattern] of Object.entries(MILESTONES) as [Milestone, RegExp][]) {
        if (said[name] === null && pattern.test(output)) said[name] = (performance.now() - started) / 1000;
      }
    },
  };
}

async function measure(mode: Run['mode'], temperature: Run['temperature'], dataDir: string, browser: Browser): Promise<Run> {
  // The command npm runs for the script, without npm's own process (~60 MB that is not the server's).
  const script = SCRIPTS[mode === 'npm start' ? 'start' : 'dev'];
  const started = performance.now();
  // `env` so a script's leading VAR=value words (npm start's MALLOC_ARENA_MAX) stay assignments after exec.
  const child = spawn('sh', ['-c', `exec env ${script}`], {
    cwd: root,
    env: { ...process.env, PORT: String(PORT), DATA_DIR: dataDir, APP_URL: `http://localhost:${PORT}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const milestones = watchMilestones(started);
  const collect = (chunk: Buffer) => {
    output += chunk;
    milestones.read(output);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  try {
    const [healthSeconds, dashboard] = await Promise.all([
      waitForHealth(started, child),
      mode === 'npm run dev' ? waitForDashboard(browser, started) : Promise.resolve(null),
    ]);
    const cpuSeconds = treeCpuSeconds(child.pid!);
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    const rssMiB = treeRssMiB(child.pid!);
    const beforeReady = output.slice(0, Math.max(0, output.indexOf('Dashboard ready')));
    const progressLines = beforeReady.split('\n').filter((line) => /^\s*\d+\.\d s {2}/.test(line)).length;
    if (process.env.BENCH_VERBOSE) console.log(`--- ${script} (${temperature})\n${output}`);
    return { mode, temperature, healthSeconds, dashboardSeconds: dashboard?.seconds ?? null, rssMiB, progressLines, cpuSeconds, said: milestones.said, page: dashboard?.page ?? null };
  } catch (error) {
    throw new Error(`${script} (${temperature}): ${(error as Error).message}\n${output}`);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

function verdict(ok: boolean) {
  return ok ? 'met' : 'NOT met';
}

if (!existsSync(join(root, 'dist/server/server.js')) || !existsSync(join(root, 'dist/web/index.html'))) {
  console.error('Build first: npm run build');
  process.exit(1);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
// BENCH_MODES=start or =dev measures one mode only (while working on it); the goals need both.
const modes = (['npm start', 'npm run dev'] as const).filter((mode) => !process.env.BENCH_MODES || process.env.BENCH_MODES.split(',').includes(mode === 'npm start' ? 'start' : 'dev'));
const loadAtStart = (await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ');
const runs: Run[] = [];
try {
  for (const mode of modes) {
    const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-'));
    try {
      if (mode === 'npm run dev') {
        rmSync(join(root, 'node_modules/.cache/versaai'), { recursive: true, force: true });
        rmSync(join(root, 'node_modules/.vite'), { recursive: true, force: true });
      }
      runs.push(await measure(mode, 'cold', dataDir, browser));
      runs.push(await measure(mode, 'warm', dataDir, browser));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
}

const fmt = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));
console.log(`startup on ${process.platform}, Node ${process.version}, load average ${loadAtStart} at the start, ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
console.log('  (each row runs the command of the npm script directly, so npm\'s own process is not counted)');
console.log('  mode          run    first 200 /health   dashboard rendered   idle RSS (tree)   progress lines');
for (const r of runs) {
  console.log(
    `  ${r.mode.padEnd(12)}  ${r.temperature.padEnd(5)}  ${`${fmt(r.healthSeconds)} s`.padStart(17)}   ${`${fmt(r.dashboardSeconds)}${r.dashboardSeconds === null ? '' : ' s'}`.padStart(18)}   ${`${fmt(r.rssMiB, 0)} MiB`.padStart(15)}   ${String(r.progressLines).padStart(14)}`,
  );
}
const devRuns = runs.filter((r) => r.mode === 'npm run dev');
if (devRuns.length > 0) {
  // Where the dev start goes: the server's own milestones, then what the browser waited for.
  console.log('npm run dev breakdown (seconds from spawn)');
  console.log('  run    listening   Vite ready   /health 200   page HTML   dashboard rendered   code requests (deps)   CPU s to rendered (busiest process)');
  for (const r of devRuns) {
    console.log(
      `  ${r.temperature.padEnd(5)}  ${fmt(r.said.listening).padStart(9)}   ${fmt(r.said.viteReady).padStart(10)}   ${fmt(r.healthSeconds).padStart(11)}   ${fmt(r.page?.htmlSeconds ?? null).padStart(9)}   ${fmt(r.dashboardSeconds).padStart(18)}   ${`${r.page?.moduleRequests ?? '—'} (${r.page?.dependencyRequests ?? '—'})`.padStart(20)}   ${`${fmt(r.cpuSeconds.total)} (${fmt(r.cpuSeconds.busiest)})`.padStart(17)}`,
    );
  }
}
const startWarm = runs.find((r) => r.mode === 'npm start' && r.temperature === 'warm');
const devWarm = runs.find((r) => r.mode === 'npm run dev' && r.temperature === 'warm');
console.log('targets');
if (startWarm) {
  console.log(`  npm start warm, first 200 < ${TARGETS.startWarmSeconds} s: ${fmt(startWarm.healthSeconds)} s — ${verdict(startWarm.healthSeconds < TARGETS.startWarmSeconds)}`);
  console.log(`  npm start idle RSS < ${TARGETS.startRssMiB} MiB: ${fmt(startWarm.rssMiB, 0)} MiB — ${verdict(startWarm.rssMiB < TARGETS.startRssMiB)}`);
}
if (devWarm) {
  console.log(`  npm run dev warm, dashboard rendered < ${TARGETS.devDashboardWarmSeconds} s: ${fmt(devWarm.dashboardSeconds)} s — ${verdict((devWarm.dashboardSeconds ?? Infinity) < TARGETS.devDashboardWarmSeconds)}`);
  console.log(`  npm run dev idle RSS < ${TARGETS.devRssMiB} MiB: ${fmt(devWarm.rssMiB, 0)} MiB — ${verdict(devWarm.rssMiB < TARGETS.devRssMiB)}`);
  console.log(`  npm run dev says what it is doing while it starts: ${devRuns.map((r) => r.progressLines).join(' / ')} lines before ready — ${verdict(devRuns.every((r) => r.progressLines >= 3))}`);
}
