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

/** Wraps the client's statement entry points so they pass through the gate, requests first. */
export function prioritizeRequests(pglite: PGlite) {
  const waiting = { request: [] as Array<() => void>, background: [] as Array<() => void> };
  let busy = false;

  const next = () => {
    if (busy) return;
    const run = waiting.request.shift() ?? waiting.background.shift();
    if (!run) return;
    busy = true;
    run();
  };
  const acquire = () =>
    new Promise<void>((resolve) => {
      (background.getStore() ? waiting.background : waiting.request).push(resolve);
      next();
    });
  // PGlite runs each statement synchronously on this thread, and a resolved promise continues in
  // a microtask: handing the connection straight to the next waiter would chain statement after
  // statement without ever returning to the event loop, so new requests (sockets, crypto on the
  // thread pool) would wait until the database went idle. The next statement starts after I/O.
  const release = () => {
    busy = false;
    setImmediate(next);
  };

  for (const method of ['query', 'exec', 'transaction'] as const) {
    const original = (pglite[method] as (...args: unknown[]) => Promise<unknown>).bind(pglite);
    (pglite as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      await acquire();
      try {
        return await original(...args);
      } finally {
        release();
      }
    };
  }
}
