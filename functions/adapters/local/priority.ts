import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabasePulse } from '../../ports';

/**
 * PGlite is one connection: every statement waits for the one before it. When
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
  /** When it got the connection (`performance.now()` of this thread): places it on a request's timeline. */
  startedAt: number;
}

const listeners = new WeakMap<object, Set<(entry: GateEntry) => void>>();

/** Calls `listener` with every statement through the gate of `client` until the returned stop is called. */
export function watchStatements(client: object, listener: (entry: GateEntry) => void): () => void {
  const set = listeners.get(client) ?? new Set();
  listeners.set(client, set);
  set.add(listener);
  return () => set.delete(listener);
}

/** What the gate measured since the last read: where a request's database time went. */
export interface GateStats {
  statements: number;
  requestStatements: number;
  /** Longest time a request statement waited for the connection (queue + loop turns). */
  maxRequestWaitMs: number;
  /** Longest time one entry (a statement, or a whole transaction) held the connection. */
  maxHoldMs: number;
  /** The longest holds, with their SQL text (no parameters). */
  longest: Array<{ ms: number; text: string }>;
}

export interface Gate {
  pulse: DatabasePulse;
  /**
   * How long the oldest request statement still waiting has waited (0 when none waits). With
   * PGlite on this thread every statement takes one loop turn, so this is also how backed up the
   * event loop is.
   */
  requestWaitMs(): number;
  /** The window's figures; `reset` starts a new window. */
  stats(options?: { reset?: boolean }): GateStats;
}

/**
 * A statement that completed this recently proves the database answers: /health takes that as
 * its SQL check instead of queueing a `select 1` behind a busy ingestion or purge (where its own
 * statement would wait up to a loop turn per statement ahead of it and measure the queue, not
 * the database).
 */
export const PULSE_FRESH_MS = 500;
/**
 * Something has been running or waiting and nothing has completed for this long: the database is
 * stuck (a transaction that never ends, a statement that never returns). /health says so at once.
 */
export const PULSE_STUCK_MS = 2000;
const LONGEST_KEPT = 5;

interface Waiter {
  resolve: () => void;
  since: number;
  request: boolean;
}

export interface GateOptions {
  now?: () => number;
  /**
   * How the connection passes to the next statement. `next-turn` (PGlite on this thread): from a
   * macrotask, one statement per loop turn (see `schedule` below). `at-once` (PGlite on a worker
   * thread, database-thread.ts): straight from the completion, since a statement only sends a
   * message from here and never holds the loop; a loop turn per statement would only add waits.
   */
  handOff?: 'next-turn' | 'at-once';
  /** Why the database can no longer answer (its worker died), once it cannot: the pulse reads `down`. */
  failure?: () => string | undefined;
}

/** The client's statement entry points the gate wraps. */
type Gated = Record<'query' | 'exec' | 'transaction', (...args: never[]) => Promise<unknown>>;

/** Wraps the client's statement entry points so they pass through the gate, requests first. */
export function prioritizeRequests(client: Gated, options: GateOptions = {}): Gate {
  const clock = options.now ?? (() => performance.now());
  const waiting = { request: [] as Waiter[], background: [] as Waiter[] };
  let busy = false;
  let scheduled = false;
  let holdingSince = 0;
  let lastCompletedAt = clock();
  let stats = emptyStats();

  const next = () => {
    scheduled = false;
    if (busy) return;
    const waiter = waiting.request.shift() ?? waiting.background.shift();
    if (!waiter) return;
    busy = true;
    holdingSince = clock();
    stats.statements++;
    if (waiter.request) {
      stats.requestStatements++;
      stats.maxRequestWaitMs = Math.max(stats.maxRequestWaitMs, holdingSince - waiter.since);
    }
    waiter.resolve();
  };
  // On this thread PGlite runs each statement synchronously, and a resolved promise continues in
  // a microtask. Handing the connection out from there (to the next waiter, or to a caller whose
  // next statement arrives in the same microtask run) chains statement after statement without
  // returning to the event loop: one chat turn's twenty statements, or eight turns', held it for
  // seconds while new requests (sockets, timers, crypto on the thread pool) waited. So the
  // connection is only ever handed out from a macrotask, at most one statement per loop turn,
  // with I/O polled in between. On a worker thread none of that holds: hand it on at once.
  const atOnce = options.handOff === 'at-once';
  const schedule = () => {
    if (atOnce) return next();
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };
  const acquire = () =>
    new Promise<void>((resolve) => {
      const request = !background.getStore();
      (request ? waiting.request : waiting.background).push({ resolve, since: clock(), request });
      if (!busy) schedule();
    });
  const release = (statement: unknown, method: string) => {
    const now = clock();
    noteHold(stats, now - holdingSince, statement, method);
    lastCompletedAt = now;
    busy = false;
    schedule();
  };

  // A statement completing inside a transaction proves the database answers as much as one
  // outside it: without this, a long ingestion transaction read as "quiet" after 500 ms and
  // /health queued its own `select 1` behind it (bench:health's worst probes waited ~380 ms).
  const markCompleted = () => {
    lastCompletedAt = clock();
  };
  const slowMs = Number(process.env.SLOW_STATEMENT_MS ?? 0);
  const watchers = listeners.get(client) ?? new Set<(entry: GateEntry) => void>();
  listeners.set(client, watchers);
  for (const method of ['query', 'exec', 'transaction'] as const) {
    const original = (client[method] as (...args: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      const queued = watchers.size > 0 ? performance.now() : 0;
      await acquire();
      const started = performance.now();
      const inside = { text: '', ms: -1 };
      const onInnerStatement = (text: string, ms: number) => {
        markCompleted();
        if (ms > inside.ms) Object.assign(inside, { text, ms });
      };
      try {
        return await original(...(method === 'transaction' ? [reportingProgress(args[0], onInnerStatement), ...args.slice(1)] : args));
      } finally {
        const execMs = performance.now() - started;
        if (slowMs > 0) reportSlow(method, args[0], execMs, slowMs);
        if (watchers.size > 0) {
          // The text is normalized only for a watcher that reads it: doing it for every statement
          // allocated an eighth of what a flow message allocates (bench:flows' heap profile), so
          // the benches' own watchers bought their figures extra scavenges.
          const statement = args[0];
          let text: string | undefined;
          const entry: GateEntry = {
            method,
            get text() {
              return (text ??= statementText(method, statement, Infinity));
            },
            background: background.getStore() === true,
            waitMs: queued ? started - queued : 0,
            execMs,
            startedAt: started,
          };
          for (const watcher of watchers) watcher(entry);
        }
        // A transaction is named by its longest statement, so the longest holds say what held.
        release(inside.text ? `(transaction; longest: ${inside.text})` : args[0], method);
      }
    };
  }

  const oldestWaitingSince = () => Math.min(waiting.request[0]?.since ?? Infinity, waiting.background[0]?.since ?? Infinity);
  const pulse: DatabasePulse = {
    read() {
      const now = clock();
      const failure = options.failure?.();
      const pendingSince = Math.min(busy ? holdingSince : Infinity, oldestWaitingSince());
      const pendingMs = Number.isFinite(pendingSince) ? now - pendingSince : 0;
      const sinceLastCompletionMs = now - lastCompletedAt;
      // Waiting alone is not stuck: background statements may wait long behind requests while
      // completions keep coming. Stuck is waiting with no completion at all.
      if (failure) return { state: 'down', sinceLastCompletionMs, pendingMs, failure };
      const state = pendingMs > PULSE_STUCK_MS && sinceLastCompletionMs > PULSE_STUCK_MS ? 'stuck' : sinceLastCompletionMs < PULSE_FRESH_MS ? 'answering' : 'quiet';
      return { state, sinceLastCompletionMs, pendingMs };
    },
  };
  return {
    pulse,
    requestWaitMs: () => (waiting.request[0] ? clock() - waiting.request[0].since : 0),
    stats({ reset = false } = {}) {
      const current = stats;
      if (reset) stats = emptyStats();
      return current;
    },
  };
}

/** The transaction's callback, given a client whose statements report (text, duration) as they finish. */
function reportingProgress(callback: unknown, onCompleted: (text: string, ms: number) => void) {
  if (typeof callback !== 'function') return callback;
  return (tx: Record<string, unknown>) => {
    const watched = new Proxy(tx, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if ((property !== 'query' && property !== 'exec' && property !== 'sql') || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const started = performance.now();
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          onCompleted(statementText(String(property), args[0]), performance.now() - started);
          return result;
        };
      },
    });
    return (callback as (tx: unknown) => unknown)(watched);
  };
}

function emptyStats(): GateStats {
  return { statements: 0, requestStatements: 0, maxRequestWaitMs: 0, maxHoldMs: 0, longest: [] };
}

function statementText(method: string, statement: unknown, maxLength = 160) {
  return typeof statement === 'string' ? statement.replace(/\s+/g, ' ').trim().slice(0, maxLength) : `(${method})`;
}

function noteHold(stats: GateStats, ms: number, statement: unknown, method: string) {
  stats.maxHoldMs = Math.max(stats.maxHoldMs, ms);
  const shortest = stats.longest[stats.longest.length - 1];
  if (stats.longest.length === LONGEST_KEPT && shortest.ms >= ms) return;
  stats.longest.push({ ms, text: statementText(method, statement) });
  stats.longest.sort((a, b) => b.ms - a.ms);
  stats.longest.length = Math.min(stats.longest.length, LONGEST_KEPT);
}

/**
 * SLOW_STATEMENT_MS (diagnostics): every statement holds the event loop for its whole duration,
 * so one over the threshold is logged with its SQL text (never its parameters, see lib/log.ts).
 */
function reportSlow(method: string, statement: unknown, tookMs: number, slowMs: number) {
  if (tookMs < slowMs) return;
  console.warn(`[db] slow ${method} ${tookMs.toFixed(0)} ms: ${statementText(method, statement, 300)}`);
}
