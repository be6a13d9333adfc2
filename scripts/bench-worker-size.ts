/**
 * `npm run bench:worker-size`: bundle both Workers exactly as `npm run deploy` would (offline,
 * `wrangler deploy --dry-run`) and report, in one run:
 *   - the request worker (wrangler.toml): raw and gzipped size, its largest packages (esbuild
 *     metafile), and a check that no extraction library is reachable from functions/worker.ts;
 *   - the ingestion worker (wrangler.ingest.toml): raw and gzipped size;
 *   - "before": the single worker that ran everything (scripts/fixtures/monolith-worker.ts,
 *     unminified as wrangler.toml used to build it);
 *   - cold start of "before" and of the request worker: time to the first response of a fresh
 *     workerd isolate (start workerd with the bundle, send one request), minus the same for an
 *     empty worker, median of several alternating runs.
 * Fails above the Workers free-plan limit (3 MiB gzipped), if an extraction library is in the
 * request worker, or if a `node:` built-in sneaks in (neither wrangler config has nodejs_compat).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createServer, type AddressInfo } from 'node:net';

const LIMIT_GZIP_BYTES = 3 * 1024 * 1024;
const GOAL_GZIP_BYTES = 500 * 1024;
const COLD_START_RUNS = Number(process.env.BENCH_COLD_START_RUNS ?? 7);
/** Libraries only ingestion needs: none may be bundled into the request worker. */
const INGESTION_ONLY = /node_modules\/(unpdf|fflate|htmlparser2|domutils|domhandler|papaparse|robots-parser)\/|functions\/core\/ingest\/(extract[^/]*|prepare|chunk|process-document|crawl-page|jobs)\.ts$/;

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'versaai-worker-size-'));

interface Bundle {
  label: string;
  files: string[];
  entry: string;
  raw: number;
  gzipped: number;
  meta: Metafile;
}

interface Metafile {
  inputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** `wrangler deploy --dry-run` of one config; `overrides` rewrite top-level keys of a temp copy. */
function build(label: string, config: string, overrides: Record<string, string> = {}, options: { dropAliases?: boolean } = {}): Bundle {
  const outdir = join(work, label.replace(/\W+/g, '-'));
  let toml = readFileSync(join(root, config), 'utf8');
  if (options.dropAliases) toml = toml.replace(/^\[alias\]\n(?:".*\n)*/m, '');
  for (const [key, value] of Object.entries(overrides)) {
    const line = new RegExp(`^${key} = .*$`, 'm');
    toml = line.test(toml) ? toml.replace(line, `${key} = ${value}`) : `${key} = ${value}\n${toml}`;
  }
  // The temp copy sits next to the real ones so relative paths (main, assets) resolve the same.
  const configPath = join(root, `.bench-${label.replace(/\W+/g, '-')}.toml`);
  writeFileSync(configPath, toml);
  // Static assets are uploaded separately and do not count toward a Worker's size; wrangler only
  // insists that the directory exists, so an empty one stands in.
  const assets = join(work, 'assets');
  mkdirSync(assets, { recursive: true });
  const assetsArgs = /^\[assets\]/m.test(toml) ? ['--assets', assets] : [];
  try {
    const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '-c', configPath, '--outdir', outdir, '--metafile', join(outdir, 'meta.json'), ...assetsArgs];
    const run = spawnSync(process.execPath, args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    if (run.status !== 0) {
      console.error(run.stdout, run.stderr);
      throw new Error(`wrangler deploy --dry-run (${label}) failed with exit code ${run.status}`);
    }
  } finally {
    rmSync(configPath, { force: true });
  }
  // Everything wrangler would upload: the entry bundle plus any additional modules (wasm, chunks).
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.map') && d.name !== 'README.md' && d.name !== 'meta.json')
    .map((d) => join(d.parentPath, d.name));
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    raw += statSync(file).size;
    gzipped += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  const meta = JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as Metafile;
  const entry = files.find((f) => f.endsWith('.js'))!;
  return { label, files, entry, raw, gzipped, meta };
}

/** Output bytes by package (or by our top folder), largest first. */
function topModules(bundle: Bundle, count: number): Array<[string, number]> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(bundle.meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(path)?.[1] ?? path.split('/').slice(0, 3).join('/');
      sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** Modules in the bundle that only ingestion needs, each with the chain of imports that reached it. */
function ingestionModulesIn(bundle: Bundle): string[] {
  const inputs = bundle.meta.inputs;
  const entry = Object.keys(inputs).find((k) => /^functions\/worker\.ts$/.test(k));
  if (!entry) throw new Error('functions/worker.ts is not in the metafile');
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const { path, external } of inputs[current]?.imports ?? []) {
      if (external || parent.has(path)) continue;
      parent.set(path, current);
      queue.push(path);
    }
  }
  return [...parent.keys()]
    .filter((path) => INGESTION_ONLY.test(path))
    .map((path) => {
      const chain: string[] = [];
      for (let at: string | null | undefined = path; at; at = parent.get(at)) chain.unshift(at);
      return chain.join(' -> ');
    });
}

const CONFIG_ENV: Record<string, string> = {
  APP_URL: 'https://versaai.example.com',
  JWT_SECRET: 'x'.repeat(43),
  ENCRYPTION_KEY: 'y'.repeat(43),
  QSTASH_TOKEN: 'bench',
  QSTASH_CURRENT_SIGNING_KEY: 'sig_'.padEnd(40, 'c'),
  QSTASH_NEXT_SIGNING_KEY: 'sig_'.padEnd(40, 'n'),
  DATABASE_URL: 'postgres://bench:bench@127.0.0.1:9/bench',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9',
  UPSTASH_REDIS_REST_TOKEN: 'bench',
  PINECONE_API_KEY: 'bench',
  PINECONE_INDEX_HOST: 'http://127.0.0.1:9',
  MAIL_API_KEY: 'bench',
  MAIL_FROM: 'VersaAI <no-reply@versaai.test>',
};

/**
 * Milliseconds from starting workerd with `script` to its first response. workerd compiles and
 * evaluates the bundle at startup; the request then goes through the whole app (services built,
 * config parsed) and ends in its JSON 404, which needs no database: what is measured is loading
 * the bundle, not the network. The same binary wrangler runs (node_modules/workerd).
 */
async function timeToFirstResponse(script: string): Promise<number> {
  const port = await freePort();
  const dir = mkdtempSync(join(work, 'workerd-'));
  // capnp embeds read paths relative to the config file.
  copyFileSync(script, join(dir, 'worker.js'));
  const bindings = Object.entries(CONFIG_ENV).map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`);
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2026-11-01",
  bindings = [${bindings.join(', ')}],
);
`,
  );
  const started = performance.now();
  const child = spawn(join(root, 'node_modules/workerd/bin/workerd'), ['serve', join(dir, 'config.capnp'), '--experimental'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}) for ${script}:\n${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/no-such-route`);
        await res.arrayBuffer();
        if (res.status !== 404) throw new Error(`${script} answered ${res.status}: ${stderr}`);
        return performance.now() - started;
      } catch (error) {
        if (!(error instanceof TypeError)) throw error; // not listening yet
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  // As the one worker was built: unminified, names kept, zod whole (no [alias] table).
  const before = build('before: one worker', 'wrangler.toml', { main: JSON.stringify('scripts/fixtures/monolith-worker.ts'), minify: 'false', keep_names: 'true' }, { dropAliases: true });
  const request = build('request worker', 'wrangler.toml');
  const ingest = build('ingestion worker', 'wrangler.ingest.toml');

  for (const bundle of [before, request, ingest]) {
    console.log(`${bundle.label.padEnd(20)} ${kib(bundle.raw).padStart(12)} raw  ${kib(bundle.gzipped).padStart(12)} gzipped  (${bundle.files.length} module${bundle.files.length === 1 ? '' : 's'})`);
  }
  console.log(`request worker goal: <= ${kib(GOAL_GZIP_BYTES)} gzipped: ${request.gzipped <= GOAL_GZIP_BYTES ? 'met' : `NOT met (${kib(request.gzipped - GOAL_GZIP_BYTES)} over)`}`);
  console.log('request worker, largest packages (minified bytes in the bundle):');
  for (const [name, bytes] of topModules(request, 12)) console.log(`  ${kib(bytes).padStart(10)}  ${name}`);

  const leaked = ingestionModulesIn(request);
  if (leaked.length > 0) {
    console.error(`FAIL: the request worker bundles ingestion-only modules:\n  ${leaked.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('request worker: no extraction library reachable from functions/worker.ts');
  }
  for (const bundle of [request, ingest]) {
    if (bundle.gzipped > LIMIT_GZIP_BYTES) {
      console.error(`FAIL: the gzipped ${bundle.label} is over the 3 MiB free-plan limit by ${kib(bundle.gzipped - LIMIT_GZIP_BYTES)}`);
      process.exitCode = 1;
    }
  }

  // Cold starts, alternating so machine load affects both alike.
  const empty = join(work, 'empty.js');
  writeFileSync(empty, 'export default { fetch() { return new Response("ok", { status: 404 }); } };\n');
  const times: Record<'empty' | 'before' | 'after', number[]> = { empty: [], before: [], after: [] };
  await timeToFirstResponse(empty); // warms the workerd binary into the page cache
  for (let i = 0; i < COLD_START_RUNS; i++) {
    times.empty.push(await timeToFirstResponse(empty));
    times.before.push(await timeToFirstResponse(before.entry));
    times.after.push(await timeToFirstResponse(request.entry));
  }
  const base = median(times.empty);
  console.log(`cold start, time to first response of a fresh workerd isolate (median of ${COLD_START_RUNS}, minus an empty worker's ${base.toFixed(0)} ms):`);
  console.log(`  before (one worker, ${kib(before.gzipped)} gzipped): ${(median(times.before) - base).toFixed(0)} ms`);
  console.log(`  after  (request worker, ${kib(request.gzipped)} gzipped): ${(median(times.after) - base).toFixed(0)} ms`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
