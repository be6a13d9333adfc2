// `npm run bench:startup`: seconds from launching the local runtime to the first 200 on /health,
// for `npm run dev` and `npm start`, each with a new (cold) and an existing (warm) data dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEADLINE_MS = 120_000;

async function timeToHealthy(command: string[], dataDir: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: 'ignore',
    detached: true,
  });
  try {
    while (performance.now() - started < DEADLINE_MS) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status === 200) return (performance.now() - started) / 1000;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${command.join(' ')} did not become healthy within ${DEADLINE_MS / 1000}s`);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

if (!existsSync('dist/server/server.js')) {
  console.error('Build first: npm run build');
  process.exit(1);
}

const rows: Array<[string, string, number]> = [];
for (const [name, command] of [
  ['npm run dev', ['npm', 'run', 'dev']],
  ['npm start', ['node', 'dist/server/server.js']],
] as const) {
  const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-'));
  try {
    rows.push([name, 'cold (new data dir)', await timeToHealthy([...command], dataDir, 4700)]);
    rows.push([name, 'warm (existing data)', await timeToHealthy([...command], dataDir, 4700)]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
console.log('time to first 200 on /health');
for (const [name, mode, seconds] of rows) console.log(`  ${name.padEnd(12)} ${mode.padEnd(22)} ${seconds.toFixed(2)} s`);
