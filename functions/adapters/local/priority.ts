import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite is one connection on the Node thread: every statement waits for the one before it. When
 * background jobs (channel replies, ingestion, webhook deliveries) keep it busy, a request (a
 * platform webhook that must answer in milliseconds, a visitor's message) would queue behind
 * them. This gate lets statements issued by requests go first; background statements run when no
 * request statement is waiting. Work is marked background by running it inside `inBackground`
 * (the local job runner does, for everything it runs); everything else is a request.
 */
const background = new AsyncLocalStorage<true>();

export function inBackground<T>(fn: () => T): T {
  return background.run(true, fn);
}

/**
 * One statement as the gate saw it (diagnostics: benchmarks and SLOW_STATEMENT_MS): how long it
 * waited for the connection (behind other statements, and the loop turn it is handed out on) and
 * how long it ran.
 */
export interface GateEntry {
  method: 'query' | 'exec' | 'transaction';
  /** The whole statement, whitespace collapsed (never its parameters). */
  text: string;
  background: boolean;
  waitMs: number;
  execMs: number;
}

const listeners = new WeakMap<PGlite, Set<(entry: GateEntry) => void>>();

/** Calls `listener` with every statement through the gate of `pglite` until the returned stop is called. */
export function watchStatements(pglite: PGlite, listener: (entry: GateEntry) => void): () => void {
  const set = listeners.get(pglite) ?? new Set();
  listeners.set(pglite, set);
  set.add(listener);
  return () => set.delete(listener);
}

const statementText = (method: string, statement: unknown) => (typeof statement === 'string' ? statement.replace(/\s+/g, ' ') : `(${method})`);

/** Wraps the client's statement entry points so they pass through the gate, requests first. */
export function prioritizeRequests(pglite: PGlite) {
  const waiting = { request: [] as Array<() => void>, background: [] as Array<() => void> };
  let busy = false;
  let scheduled = false;

  const next = () => {
    scheduled = false;
    if (busy) return;
    const run = waiting.request.shift() ?? waiting.background.shift();
    if (!run) return;
    busy = true;
    run();
  };
  // PGlite runs each statement synchronously on this thread, and a resolved promise continues in
  // a microtask. Handing the connection out from there (to the next waiter, or to a caller whose
  // next statement arrives in the same microtask run) chains statement after statement without
  // returning to the event loop: one chat turn's twenty statements, or eight turns', held it for
  // seconds while new requests (sockets, timers, crypto on the thread pool) waited. So the
  // connection is only ever handed out from a macrotask, at most one statement per loop turn,
  // with I/O polled in between.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };
  const acquire = () =>
    new Promise<void>((resolve) => {
      (background.getStore() ? waiting.background : waiting.request).push(resolve);
      if (!busy) schedule();
    });
  const release = () => {
    busy = false;
    schedule();
  };

  const slowMs = Number(process.env.SLOW_STATEMENT_MS ?? 0);
  const watchers = listeners.get(pglite) ?? new Set<(entry: GateEntry) => void>();
  listeners.set(pglite, watchers);
  for (const method of ['query', 'exec', 'transaction'] as const) {
    const original = (pglite[method] as (...args: unknown[]) => Promise<unknown>).bind(pglite);
    (pglite as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      const queued = watchers.size > 0 ? performance.now() : 0;
      await acquire();
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        const execMs = performance.now() - started;
        if (slowMs > 0) reportSlow(method, args[0], execMs, slowMs);
        if (watchers.size > 0) {
          const entry = { method, text: statementText(method, args[0]), background: background.getStore() === true, waitMs: queued ? started - queued : 0, execMs };
          for (const watcher of watchers) watcher(entry);
        }
        release();
      }
    };
  }
}

/**
 * SLOW_STATEMENT_MS (diagnostics): every statement holds the event loop for its whole duration,
 * so one over the threshold is logged with its SQL text (never its parameters, see lib/log.ts).
 */
function reportSlow(method: string, statement: unknown, tookMs: number, slowMs: number) {
  if (tookMs < slowMs) return;
  console.warn(`[db] slow ${method} ${tookMs.toFixed(0)} ms: ${statementText(method, statement).slice(0, 300)}`);
}
