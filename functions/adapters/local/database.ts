import { drizzle } from 'drizzle-orm/pglite';
import type { PGlite } from '@electric-sql/pglite';
import { prioritizeRequests, type Gate } from './priority';
import { usePreparedStatements, type PreparedStatements } from './prepared';
import * as schema from '../../../db/schema';
import type { Database } from '../../ports';
import { findMigrationsFolder, openPGlite } from './pglite-open';
import { openDatabaseThread, type SqlClient } from './database-thread';

export { findMigrationsFolder, schemaFingerprint, VECTOR_INDEXES, VECTOR_INDEX_SQL } from './pglite-open';

export interface LocalDatabase {
  db: Database;
  /** The client every statement goes through (gated): PGlite itself, or the database worker's. */
  pglite: SqlClient;
  /** The statement gate (requests first): its pulse for /health, its figures for benchmarks. */
  gate: Gate;
  /** The session's prepared statements (prepared.ts); null when opened without them. */
  prepared: PreparedStatements | null;
  close(): Promise<void>;
}

/**
 * Names a file holding a dump of a migrated data directory (`PGlite.dumpDataDir`). The test
 * global setup (functions/testing/global-setup.ts) writes one per run: every test file opens
 * in-memory databases, and starting each from a copy of the dump instead of an empty cluster
 * saves initdb and the migrations (seconds per database on a busy machine).
 */
export const DATABASE_TEMPLATE_ENV = 'VERSAAI_DATABASE_TEMPLATE';

/** Dumps a database's data directory, as a template for in-memory databases (see above). */
export async function dumpDatabaseTemplate(database: LocalDatabase): Promise<Uint8Array> {
  const dump = await database.pglite.dumpDataDir('none');
  return new Uint8Array(await dump.arrayBuffer());
}

/**
 * Where PGlite runs. `worker`: a thread of its own (database-thread.ts), so no statement ever
 * holds the thread that serves requests: the default for a data directory (the product).
 * `caller`: on this thread, the default for in-memory databases (the test suite's): starting a
 * worker for each costs about three times the CPU (tsx and PGlite's WebAssembly loaded again per
 * thread: ~3.1 s instead of ~1.1 s per database, measured) and their statements are short.
 */
export type DatabaseThread = 'worker' | 'caller';

/**
 * LOCAL_DATABASE_THREAD=worker|caller overrides the default (an A/B of the two, the unit suite
 * on workers, or a way back to the old behaviour should the worker misbehave); an explicit
 * `thread` option wins over it.
 */
export const LOCAL_DATABASE_THREAD_ENV = 'LOCAL_DATABASE_THREAD';

function threadFor(dataDir: string | null, requested: DatabaseThread | undefined): DatabaseThread {
  if (requested) return requested;
  const env = process.env[LOCAL_DATABASE_THREAD_ENV];
  if (env === 'worker' || env === 'caller') return env;
  return dataDir === null ? 'caller' : 'worker';
}

export async function openLocalDatabase(
  dataDir: string | null,
  options: {
    migrationsFolder?: string;
    thread?: DatabaseThread;
    /** Statements run as named prepared statements (prepared.ts); false for PGlite's own path (A/B measurements). */
    preparedStatements?: boolean;
  } = {},
): Promise<LocalDatabase> {
  const migrationsFolder = options.migrationsFolder ?? findMigrationsFolder();
  const templatePath = dataDir === null ? process.env[DATABASE_TEMPLATE_ENV] : undefined;
  const preparedStatements = options.preparedStatements !== false;
  if (threadFor(dataDir, options.thread) === 'worker') {
    const client = await openDatabaseThread(dataDir, { migrationsFolder, templatePath, preparedStatements });
    // A statement no longer runs on this thread, so the gate may hand the connection on at once.
    const gate = prioritizeRequests(client, { handOff: 'at-once', failure: client.failure });
    return { db: drizzleOver(client), pglite: client, gate, prepared: null, close: () => client.close() };
  }
  const pglite = await openPGlite(dataDir, { migrationsFolder, templatePath });
  // Under the gate, so the gate times and orders the same calls as before.
  const prepared = preparedStatements ? usePreparedStatements(pglite) : null;
  const gate = prioritizeRequests(pglite, { handOff: 'next-turn' });
  return { db: drizzleOver(pglite), pglite, gate, prepared, close: () => pglite.close() };
}

/**
 * Drizzle's pglite driver only calls `query` and `transaction` on its client (the session, and
 * savepoints through the transaction's client), which both clients answer alike.
 */
function drizzleOver(client: SqlClient): Database {
  return drizzle({ client: client as PGlite, schema });
}

/** Rows of a raw query on the local tables (see lib/sql.ts). */
export { rowsOf as queryRows } from '../../lib/sql';
