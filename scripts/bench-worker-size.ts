/**
 * `npm run bench:worker-size`: bundle the Worker exactly as `wrangler deploy` would (offline,
 * `--dry-run`), report raw and gzipped sizes, and fail above the Workers free-plan limit
 * (3 MiB gzipped; the paid plan allows 10 MiB). A `node:` built-in reachable from
 * functions/worker.ts also fails here, since wrangler.toml has no nodejs_compat.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT_GZIP_BYTES = 3 * 1024 * 1024;
const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'versaai-worker-size-'));
const outdir = join(work, 'out');

try {
  // Static assets are uploaded separately and do not count toward the Worker's size; wrangler only
  // insists that the directory exists, so without a web build an empty one stands in.
  const assetsArgs: string[] = [];
  if (!existsSync(join(root, 'dist/web'))) {
    mkdirSync(join(work, 'assets'));
    assetsArgs.push('--assets', join(work, 'assets'));
  }
  const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir, ...assetsArgs];
  const run = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    throw new Error(`wrangler deploy --dry-run failed with exit code ${run.status}`);
  }

  // Everything wrangler would upload: the entry bundle plus any additional modules (wasm, chunks).
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.map') && d.name !== 'README.md')
    .map((d) => join(d.parentPath, d.name));
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    raw += statSync(file).size;
    gzipped += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const file of files) console.log(`  ${file.slice(outdir.length + 1)}: ${kib(statSync(file).size)}`);
  console.log(`worker bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped (limit ${kib(LIMIT_GZIP_BYTES)} gzipped)`);
  if (gzipped > LIMIT_GZIP_BYTES) {
    console.error(`FAIL: the gzipped Worker is over the 3 MiB free-plan limit by ${kib(gzipped - LIMIT_GZIP_BYTES)}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
