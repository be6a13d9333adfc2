/**
 * Worker-thread entry of the local database (see database-thread.ts): PGlite runs here, so a
 * statement holds this thread, never the one that accepts connections and answers requests.
 * It opens the database, runs what the main thread sends one message at a time in arrival order
 * (the main thread's gate decides that order, and holds a transaction's statements together),
 * and answers each with its result or its error.
 *
 * Kept small on purpose: what touches PGlite is `openPGlite` (pglite-open.ts) and the `run`
 * function below; named prepared statements (prepared.ts) wrap `pglite` where it is opened, as
 * they do on the caller's thread.
 */
import { parentPort } from 'node:worker_threads';
import type { PGlite, QueryOptions } from '@electric-sql/pglite';
import { openPGlite } from './pglite-open';
import { usePreparedStatements } from './prepared';
import { crossingError, type DatabaseReply, type DatabaseRequest } from './database-protocol';

let pglite: PGlite | undefined;

function opened(): PGlite {
  if (!pglite) throw new Error('The database is not open');
  return pglite;
}

/** Values of these types stay text: the main thread applies the caller's parsers (functions cannot cross). */
function options(request: { rowMode?: 'array' | 'object'; textOids?: number[] }): QueryOptions | undefined {
  if (!request.rowMode && !request.textOids) return undefined;
  const keep = (value: string) => value;
  return { rowMode: request.rowMode, parsers: request.textOids && Object.fromEntries(request.textOids.map((oid) => [oid, keep])) };
}

async function run(request: DatabaseRequest): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
  switch (request.op) {
    case 'open':
      pglite = await openPGlite(request.dataDir, { migrationsFolder: request.migrationsFolder, templatePath: request.templatePath });
      if (request.preparedStatements) usePreparedStatements(pglite);
      return { result: null };
    case 'query':
      return { result: await opened().query(request.sql, request.params, options(request)) };
    case 'exec':
      return { result: await opened().exec(request.sql, options(request)) };
    case 'dump': {
      const bytes = await (await opened().dumpDataDir(request.compression)).arrayBuffer();
      return { result: bytes, transfer: [bytes] };
    }
    case 'close':
      await pglite?.close();
      pglite = undefined;
      return { result: null };
  }
}

parentPort!.on('message', (request: DatabaseRequest) => {
  run(request).then(
    ({ result, transfer }) => {
      try {
        parentPort!.postMessage({ id: request.id, ok: true, result } satisfies DatabaseReply, transfer);
      } catch (error) {
        // A value the structured clone cannot copy: the caller gets an error, never silence.
        answerError(request.id, error);
      }
    },
    (error: unknown) => answerError(request.id, error),
  );
});

function answerError(id: number, error: unknown) {
  parentPort!.postMessage({ id, ok: false, error: crossingError(error) } satisfies DatabaseReply);
}
