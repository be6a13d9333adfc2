import { Worker } from 'node:worker_threads';
import type { QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { query as templateQuery } from '@electric-sql/pglite/template';
import { revivedError, type DatabaseReply, type DatabaseRequest } from './database-protocol';
import { workerEntry } from './worker-entry';

/**
 * What the app uses of a PGlite client: drizzle's pglite driver (query, transaction), the
 * migrations, raw statements on the local tables, the test template's dump. PGlite itself is
 * one; so is the database worker's client below.
 */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Array<Results>>;
  transaction<T>(callback: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  dumpDataDir(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob>;
  close(): Promise<void>;
}

export type SqlTransaction = Omit<Transaction, 'listen'>;

/** The database worker's client: a SqlClient, and why the worker stopped, once it has. */
export interface ThreadClient extends SqlClient {
  failure(): string | undefined;
  /** The thread itself (diagnostics, and tests that stop it). */
  readonly worker: Worker;
}

type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The local database on a worker thread of its own (database-worker.ts). PGlite runs a statement
 * synchronously on whatever thread it lives on: on the main thread one full-text or HNSW
 * statement held it for 100–190 ms, and meanwhile nothing else ran there (accepting connections,
 * parsing headers, refusing messages under load, /health). Here the main thread only sends each
 * statement and receives its rows, and SQL runs on a second core in parallel with HTTP work.
 *
 * The worker runs statements in the order they arrive; the gate in front of this client
 * (priority.ts) decides that order and holds a transaction's statements together. A transaction
 * is BEGIN, its statements and COMMIT (or ROLLBACK on a thrown error) sent while the gate is held,
 * as PGlite's own `transaction` does. If the worker dies (a WebAssembly abort, out of memory),
 * every call in flight and every later one fails with an error that says so, and `failure()`
 * names it (the gate's pulse reads `down`, so /health reports it).
 */
export async function openDatabaseThread(
  dataDir: string | null,
  options: { migrationsFolder: string; templatePath?: string; preparedStatements?: boolean },
): Promise<ThreadClient> {
  const entry = workerEntry('database-worker');
  const worker = new Worker(entry.url, { execArgv: entry.execArgv });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: string | undefined;
  let closing = false;
  // The worker keeps the process alive only while an answer is awaited: a script that forgot to
  // close its runtime still ends, as it did with PGlite on the main thread.
  worker.unref();

  worker.on('message', (reply: DatabaseReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) waiting.resolve(reply.result);
    else waiting.reject(revivedError(reply.error));
  });
  const die = (reason: string) => {
    if (failure) return;
    failure = closing ? 'the database is closed' : `the database worker stopped (${reason})`;
    if (!closing) console.error(`[db] ${failure}`);
    for (const waiting of pending.values()) waiting.reject(new Error(`The database is unavailable: ${failure}`));
    pending.clear();
  };
  worker.on('error', (error) => die(error.message));
  worker.on('exit', (code) => die(`exit code ${code}`));

  const call = <T>(request: Unnumbered<DatabaseRequest>): Promise<T> => {
    if (failure) return Promise.reject(new Error(`The database is unavailable: ${failure}`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };

  const query = async <T>(sql: string, params?: unknown[], queryOptions?: QueryOptions): Promise<Results<T>> => {
    const results = await call<Results<T>>({ op: 'query', sql, params, ...wire(queryOptions) });
    return parsed(results, queryOptions);
  };
  const exec = async (sql: string, queryOptions?: QueryOptions): Promise<Array<Results>> => {
    const results = await call<Array<Results>>({ op: 'exec', sql, ...wire(queryOptions) });
    return results.map((result) => parsed(result, queryOptions));
  };

  try {
    await call({ op: 'open', dataDir, migrationsFolder: options.migrationsFolder, templatePath: options.templatePath, preparedStatements: options.preparedStatements !== false });
  } catch (error) {
    closing = true;
    await worker.terminate();
    throw error;
  }

  return {
    query,
    exec,
    async transaction<T>(callback: (tx: SqlTransaction) => Promise<T>): Promise<T> {
      await exec('BEGIN');
      let closed = false;
      const open = () => {
        if (closed) throw new Error('Transaction is closed');
      };
      const tx: SqlTransaction = {
        query: async (sql, params, queryOptions) => (open(), query(sql, params, queryOptions)),
        exec: async (sql, queryOptions) => (open(), exec(sql, queryOptions)),
        sql: async (strings, ...values) => {
          open();
          const templated = templateQuery(strings, ...values);
          return query(templated.query, templated.params);
        },
        rollback: async () => {
          open();
          await exec('ROLLBACK');
          closed = true;
        },
        get closed() {
          return closed;
        },
      };
      try {
        const result = await callback(tx);
        if (!closed) {
          closed = true;
          await exec('COMMIT');
        }
        return result;
      } catch (error) {
        if (!closed) {
          closed = true;
          await exec('ROLLBACK').catch(() => {});
        }
        throw error;
      }
    },
    async dumpDataDir(compression = 'auto') {
      return new Blob([await call<ArrayBuffer>({ op: 'dump', compression })]);
    },
    async close() {
      if (failure) return;
      try {
        await call({ op: 'close' });
      } finally {
        closing = true;
        await worker.terminate();
      }
    },
    failure: () => failure,
    worker,
  };
}

/** Query options as they cross: the row mode, and which types the caller parses itself. */
function wire(options: QueryOptions | undefined): { rowMode?: 'array' | 'object'; textOids?: number[] } {
  if (!options) return {};
  const { rowMode, parsers, ...others } = options;
  const unsupported = Object.entries(others).filter(([, value]) => value !== undefined);
  if (unsupported.length) throw new Error(`Query options the database worker does not take: ${unsupported.map(([key]) => key).join(', ')}`);
  return { rowMode, textOids: parsers ? Object.keys(parsers).map(Number) : undefined };
}

/** Applies the caller's parsers (functions stay on this thread) to the values the worker left as text. */
function parsed<T>(results: Results<T>, options: QueryOptions | undefined): Results<T> {
  const parsers = options?.parsers;
  if (!parsers || !results.fields) return results;
  const arrays = options.rowMode === 'array';
  results.fields.forEach((field, index) => {
    const parser = parsers[field.dataTypeID] as ((value: string, typeId: number) => unknown) | undefined;
    if (!parser) return;
    const key = arrays ? index : field.name;
    for (const row of results.rows as Array<Record<string | number, unknown>>) {
      const value = row[key];
      if (typeof value === 'string') row[key] = parser(value, field.dataTypeID);
    }
  });
  return results;
}
