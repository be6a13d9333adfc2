import { parse, protocol, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

/**
 * Named prepared statements for PGlite. `pglite.query()` sends every statement as the unnamed
 * one: Parse, Describe, Bind, Describe, Execute, so Postgres parses, analyzes and plans it again
 * each time, and the JS side makes six calls into the WebAssembly module. The chat turn's two
 * statements are large CTEs whose parse and plan cost more than running them. Here each SQL text
 * is parsed once per database session as a named statement (its parameter types and row
 * description kept beside it), and every later run is one call: Bind, Execute, Sync. Postgres
 * keeps the plan and re-plans by itself when a table it reads changes (DDL invalidates it).
 *
 * Results are the same as `query()`'s: the same serializers for parameters, the same parsers
 * (rowMode, per-call parsers), the same result shape, the same errors (a DatabaseError carrying
 * query, params and options), the same locks and the same sync to the file system outside
 * transactions. After five runs Postgres may keep a generic plan (no planning at all): the
 * turn's statements do (65 of 70 runs generic in the A/B).
 */

/** Statements kept prepared per session; the least recently run is closed past it. */
export const PREPARED_STATEMENTS_MAX = 200;

/**
 * Statements left on PGlite's own path (parsed and planned with their values every time):
 * retrieval, whose plans depend on the values (which namespace is large, the partial HNSW index
 * of a dimension, full-text selectivity) where a generic plan, which Postgres may pick for a
 * prepared statement after five runs, could walk the wrong index; and very long texts (bulk
 * inserts), which rarely repeat and would only hold memory.
 */
const UNPREPARED = /\b(local_vectors|chunks)\b/;
const LONGEST_PREPARED = 16_384;
/** Only data statements are worth keeping; DDL (migrations) runs once. */
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;
/**
 * Commands after which every kept statement is dropped (closed before the next is prepared):
 * DDL may change what a statement returns, and Postgres refuses to run a cached plan whose result
 * type changed (`cached plan must not change result type`); DISCARD/DEALLOCATE remove them.
 */
const SCHEMA_COMMANDS = new Set(['CREATE', 'ALTER', 'DROP', 'DISCARD', 'DEALLOCATE']);

/** SQLSTATE 0A000 (`cached plan must not change result type`, after DDL) and 26000 (the statement is gone). */
const STALE_STATEMENT = new Set(['0A000', '26000']);

type Message = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];

interface Prepared {
  name: string;
  paramTypes: number[];
  /** The statement's row description (empty when it returns no rows): Execute sends none. */
  fields: Array<{ name: string; dataTypeID: number }>;
  /** Each field's parser from PGlite's table, for calls without parsers of their own. */
  parsers?: Array<((value: string, typeId: number) => unknown) | undefined>;
}

/** Commands whose tag's count is `affectedRows` (as PGlite counts them). */
const ROW_COUNTING = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

export interface PreparedStatements {
  /** How many statements are prepared now (diagnostics, tests). */
  size(): number;
  /** Counters since the database opened: runs through a prepared statement, and preparations. */
  counts(): { runs: number; prepares: number };
}

type QueryFn = <T>(query: string, params?: unknown[], options?: QueryOptions) => Promise<Results<T>>;

/**
 * Replaces `pglite.query` and the `query` of the client `transaction()` hands its callback with
 * the prepared path (and watches `exec` for DDL). Install it before anything else wraps those
 * methods (the statement gate in priority.ts does): the gate then sees and times the same calls.
 */
export function usePreparedStatements(pglite: PGlite, options: { max?: number } = {}): PreparedStatements {
  const max = options.max ?? PREPARED_STATEMENTS_MAX;
  const cache = new Map<string, Prepared>();
  let sequence = 0;
  const counts = { runs: 0, prepares: 0 };
  const originalQuery = pglite.query.bind(pglite) as QueryFn;
  const originalTransaction = pglite.transaction.bind(pglite);

  const run = (stream: Uint8Array, queryOptions?: QueryOptions) =>
    pglite.execProtocolStream(stream, { syncToFs: false, onNotice: queryOptions?.onNotice });

  /** Statements dropped from the cache and not yet closed in the session: closed with the next Parse. */
  let toClose: string[] = [];
  const forgetAll = () => {
    toClose.push(...[...cache.values()].map((p) => p.name));
    cache.clear();
  };
  const noteCommands = <R extends Results<unknown> | Array<Results<unknown>>>(results: R): R => {
    for (const result of Array.isArray(results) ? results : [results as Results<unknown>]) {
      if (result.command && SCHEMA_COMMANDS.has(result.command)) forgetAll();
    }
    return results;
  };

  async function prepare(text: string, queryOptions?: QueryOptions): Promise<Prepared> {
    const name = `versaai_${++sequence}`;
    if (cache.size >= max) {
      // Close the least recently run (a Map iterates in insertion order; a run re-inserts).
      const [oldestText, oldest] = cache.entries().next().value!;
      cache.delete(oldestText);
      toClose.push(oldest.name);
    }
    // Close is a no-op for a name the session does not know, and works in an aborted transaction.
    const parts = toClose.map((closing) => protocol.serialize.close({ type: 'S', name: closing }));
    toClose = [];
    parts.push(protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync());
    const messages = await run(Buffer.concat(parts), queryOptions);
    const description = messages.find((m) => m.name === 'rowDescription') as { fields: Array<{ name: string; dataTypeID: number }> } | undefined;
    const prepared: Prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(messages),
      fields: (description?.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    };
    counts.prepares++;
    cache.set(text, prepared);
    return prepared;
  }

  async function execute<T>(text: string, params: unknown[], queryOptions: QueryOptions | undefined): Promise<Results<T>> {
    let prepared = cache.get(text);
    if (prepared) {
      cache.delete(text);
      cache.set(text, prepared);
    } else {
      prepared = await prepare(text, queryOptions);
    }
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const oid = prepared.paramTypes[i]!;
      const serialize = queryOptions?.serializers?.[oid] ?? pglite.serializers[oid];
      return serialize ? serialize(param) : String(param);
    });
    const messages = await run(bindExecuteSync(prepared.name, values), queryOptions);
    counts.runs++;
    // A `COPY ... TO '/dev/blob'` leaves its output here, as with query().
    const blob = await pglite._getWrittenBlob();
    return resultOf<T>(messages, prepared, queryOptions, blob);
  }

  /**
   * `parseResults` of PGlite for one statement's messages, without its cost: with per-call parsers
   * (drizzle passes some with every statement) it copies the whole parser table (a few hundred
   * types, arrays included) on every call, which was a tenth of the turn's CPU time. Here each
   * field's parser is looked up once per call.
   */
  function resultOf<T>(messages: Message[], prepared: Prepared, queryOptions: QueryOptions | undefined, blob: Blob | undefined): Results<T> {
    const fields = prepared.fields;
    const own = queryOptions?.parsers;
    const parsers = own ? fields.map((f) => own[f.dataTypeID] ?? pglite.parsers[f.dataTypeID]) : (prepared.parsers ??= fields.map((f) => pglite.parsers[f.dataTypeID]));
    const asArray = queryOptions?.rowMode === 'array';
    const rows: unknown[] = [];
    let complete: string | undefined;
    for (const message of messages) {
      if (message.name === 'dataRow') {
        const values = (message as unknown as { fields: Array<string | null> }).fields;
        const parsed = values.map((value, i) => (value === null ? null : parsers[i] ? parsers[i]!(value, fields[i]!.dataTypeID) : value));
        rows.push(asArray ? parsed : Object.fromEntries(parsed.map((value, i) => [fields[i]!.name, value])));
      } else if (message.name === 'commandComplete') {
        complete = (message as unknown as { text: string }).text;
      }
    }
    if (complete === undefined) return { affectedRows: 0, rows: [], fields: [] } as Results<T>;
    // The command tag ends in the row count when it has one ("SELECT 2", "INSERT 0 5").
    const parts = complete.split(' ');
    const command = parts[0]!;
    const rowCount = parseInt(parts[parts.length - 1]!, 10);
    const affectedRows = ROW_COUNTING.has(command) ? rowCount : 0;
    return {
      rows: rows as T[],
      fields: fields.map((f) => ({ ...f })),
      command,
      affectedRows,
      ...(Number.isNaN(rowCount) ? {} : { rowCount }),
      ...(blob ? { blob } : {}),
    } as Results<T>;
  }

  /** One statement on the prepared path; the caller holds PGlite's query lock. */
  async function runPrepared<T>(text: string, params: unknown[], queryOptions: QueryOptions | undefined): Promise<Results<T>> {
    try {
      return await execute<T>(text, params, queryOptions);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && STALE_STATEMENT.has(code) && cache.has(text)) {
        // The table changed under the statement (or it was deallocated): prepare it again. Inside
        // a transaction the error has aborted it, so only the next statement can use a new one.
        toClose.push(cache.get(text)!.name);
        cache.delete(text);
        if (!pglite.isInTransaction()) {
          try {
            return await execute<T>(text, params, queryOptions);
          } catch (retryError) {
            throw withStatement(retryError, text, params, queryOptions);
          }
        }
      }
      throw withStatement(error, text, params, queryOptions);
    }
  }

  const preparable = (text: string, queryOptions?: QueryOptions) =>
    typeof text === 'string' &&
    text.length <= LONGEST_PREPARED &&
    DATA_STATEMENT.test(text) &&
    !UNPREPARED.test(text) &&
    !queryOptions?.blob &&
    !queryOptions?.paramTypes;

  const query = async <T>(text: string, params: unknown[] = [], queryOptions?: QueryOptions): Promise<Results<T>> => {
    if (!preparable(text, queryOptions)) return noteCommands(await originalQuery<T>(text, params, queryOptions));
    await pglite._checkReady();
    // Like `query()`: the transaction lock (not while a transaction runs), then the query lock.
    return pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(async () => {
        const result = await runPrepared<T>(text, params, queryOptions);
        await pglite.syncToFs();
        return result;
      }),
    );
  };

  const inTransaction = (tx: Transaction): Transaction => {
    const originalTxQuery = tx.query.bind(tx) as QueryFn;
    const txQuery = async <T>(text: string, params: unknown[] = [], queryOptions?: QueryOptions): Promise<Results<T>> => {
      if (!preparable(text, queryOptions)) return noteCommands(await originalTxQuery<T>(text, params, queryOptions));
      if (tx.closed) throw new Error('Transaction is closed');
      // The transaction holds PGlite's transaction lock; a statement takes the query lock. No
      // sync to the file system until the transaction ends (PGlite's own rule).
      return pglite._runExclusiveQuery(() => runPrepared<T>(text, params, queryOptions));
    };
    // Everything else (exec, rollback, listen, `closed`) is the transaction's own.
    const originalTxExec = tx.exec.bind(tx);
    // (`tx.sql` keeps PGlite's own path, unprepared: its template helpers build the text.)
    const wrapped = Object.create(tx) as Transaction;
    return Object.assign(wrapped, {
      query: txQuery,
      exec: async (text: string, queryOptions?: QueryOptions) => noteCommands(await originalTxExec(text, queryOptions)),
    });
  };

  // `pglite.sql` builds its text and calls `this.query`: it takes the prepared path by itself.
  const originalExec = pglite.exec.bind(pglite);
  Object.assign(pglite, {
    query,
    exec: async (text: string, queryOptions?: QueryOptions) => noteCommands(await originalExec(text, queryOptions)),
    transaction: <T>(callback: (tx: Transaction) => Promise<T>) => originalTransaction<T>((tx) => callback(inTransaction(tx))),
  });

  return { size: () => cache.size, counts: () => ({ ...counts }) };
}

/** PGlite's error shape: the DatabaseError carries the statement, its parameters and options. */
function withStatement(error: unknown, query: string, params: unknown[], queryOptions: QueryOptions | undefined) {
  if (error instanceof Error && 'code' in error && 'severity' in error) Object.assign(error, { query, params, queryOptions });
  return error;
}

const EXECUTE_SYNC = Buffer.concat([protocol.serialize.execute({}), protocol.serialize.sync()]);

/**
 * Bind (the named statement, text or binary values, text results), Execute and Sync as one
 * message buffer. pg-protocol's serializer allocates a fresh ArrayBuffer for every message and
 * again each time one outgrows it, which showed in the turn's profile; this measures first and
 * writes once into a pooled Buffer.
 */
function bindExecuteSync(statement: string, values: Array<string | ArrayBuffer | ArrayBufferView | null>): Uint8Array {
  const encoded = values.map((value) =>
    value === null || typeof value === 'string' ? value : ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.from(value),
  );
  let length = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 * values.length + 2 + 2 + 2;
  for (const value of encoded) length += 4 + (value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length);
  const out = Buffer.allocUnsafe(1 + length + EXECUTE_SYNC.length);
  let at = out.writeUInt8(0x42, 0); // 'B'
  at = out.writeInt32BE(length, at);
  at = out.writeUInt8(0, at); // the unnamed portal
  at += out.write(statement, at);
  at = out.writeUInt8(0, at);
  at = out.writeInt16BE(values.length, at);
  for (const value of encoded) at = out.writeInt16BE(value === null || typeof value === 'string' ? 0 : 1, at);
  at = out.writeInt16BE(values.length, at);
  for (const value of encoded) {
    if (value === null) {
      at = out.writeInt32BE(-1, at);
    } else if (typeof value === 'string') {
      const size = out.write(value, at + 4);
      at = out.writeInt32BE(size, at) + size;
    } else {
      at = out.writeInt32BE(value.length, at);
      at += value.copy(out, at);
    }
  }
  at = out.writeInt16BE(1, at); // one result format for every column:
  at = out.writeInt16BE(0, at); // text
  EXECUTE_SYNC.copy(out, at);
  return out;
}
