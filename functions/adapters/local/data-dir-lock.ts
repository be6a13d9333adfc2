import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One runtime per data directory. Two processes on one PGlite directory each keep their own copy
 * of the database in memory and overwrite each other's files (split brain, lost writes), and both
 * would run the same jobs. The lock is a file created atomically (O_EXCL); a lock whose process is
 * gone (a crash, kill -9) is stale and taken over.
 */
export interface DataDirLock {
  release(): void;
}

interface LockOwner {
  pid: number;
  port: number | null;
  startedAt: string;
}

export const LOCK_FILE = 'versaai.lock';

/** Locks held by this process: a lock naming our own pid is ours only if it is in here. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? { pid: owner.pid, port: owner.port ?? null, startedAt: String(owner.startedAt ?? 'unknown') } : undefined;
  } catch {
    return undefined;
  }
}

function inUse(owner: LockOwner, file: string): boolean {
  // After a crash a restarted container often gets the same pid (pid 1): that lock is a past life.
  if (owner.pid === process.pid) return heldHere.has(file);
  return isAlive(owner.pid);
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, owner: LockOwner) {
    super(
      `Another VersaAI runtime is using the data directory ${dataDir}: pid ${owner.pid}` +
        `${owner.port === null ? '' : `, port ${owner.port}`}, started ${owner.startedAt}. ` +
        'Stop it first, or give this one its own DATA_DIR.',
    );
    this.name = 'DataDirInUseError';
  }
}

export function lockDataDir(dataDir: string, info: { port?: number } = {}): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, port: info.port ?? null, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      // An unreadable lock is one being written right now, or a torn write from a crash: wait a
      // round before calling it stale.
      if (owner && inUse(owner, file)) throw new DataDirInUseError(dataDir, owner);
      if (!owner && attempt === 0) continue;
      rmSync(file, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    heldHere.add(file);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        heldHere.delete(file);
        // Only our own lock: a stale-lock takeover by another process must not be undone by us.
        if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  const owner = readOwner(file);
  throw owner ? new DataDirInUseError(dataDir, owner) : new Error(`Could not lock the data directory ${dataDir} (${file})`);
}
