import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from './adapters/local/data-dir-lock';
import { startLocalRuntime, type LocalRuntime } from './local-runtime';

const open: LocalRuntime[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'versaai-lock-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string, port: number) {
  const runtime = await startLocalRuntime({ dataDir, port });
  open.push(runtime);
  return runtime;
}

/** The pid of a process that has already exited: what a crash (kill -9) leaves in the lock. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('one runtime per data directory', () => {
  it('refuses a second runtime on the same directory, naming the running one', async () => {
    const dataDir = tempDataDir();
    await start(dataDir, 4615);
    const second = startLocalRuntime({ dataDir, port: 4616 });
    await expect(second).rejects.toThrow(new RegExp(`using the data directory ${dataDir}: pid ${process.pid}, port 4615, started \\d{4}-\\d\\d-\\d\\dT`));
  }, 60_000);

  it('starts again once the first has closed', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir, 4615);
    await first.close();
    open.splice(open.indexOf(first), 1);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    const again = await start(dataDir, 4616);
    expect(again.config.APP_URL).toBe('http://localhost:4616');
  }, 60_000);

  it('takes over the stale lock a crashed runtime left behind', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: deadPid(), port: 4615, startedAt: '2026-01-01T00:00:00.000Z' }));
    const runtime = await start(dataDir, 4616);
    expect((await runtime.app.fetch(new Request('http://localhost/health'))).status).toBe(200);
    await expect(startLocalRuntime({ dataDir, port: 4617 })).rejects.toThrow(/port 4616/);
  }, 60_000);

  it('treats a torn lock file (a crash mid-write) as stale', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, LOCK_FILE), '{"pid": 12');
    await start(dataDir, 4615);
  }, 60_000);
});
