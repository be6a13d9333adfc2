/**
 * The PGlite-facing half of the local database: the SQL it is opened with, its migrations, and
 * `openPGlite`, which runs wherever the database lives (on the database worker thread for a data
 * directory, see database-worker.ts; on the caller's thread for an in-memory database). Kept free
 * of the app's schema and of anything that runs requests, so the worker loads little.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

/**
 * Dimensions that get an HNSW index, and the type each is indexed as. `local_vectors.embedding`
 * has no fixed dimension (one table serves every embedding model), and an index needs one, so
 * each common dimension gets a partial expression index; the vector store queries with the same
 * expression and predicate so the planner can use it. pgvector indexes `vector` up to 2000
 * dimensions, so 3072 (text-embedding-3-large) is indexed as `halfvec` (16-bit floats, up to
 * 4000), which costs a little precision in the graph search only.
 */
export const VECTOR_INDEXES = {
  384: { type: 'vector', opclass: 'vector_cosine_ops' },
  768: { type: 'vector', opclass: 'vector_cosine_ops' },
  1536: { type: 'vector', opclass: 'vector_cosine_ops' },
  3072: { type: 'halfvec', opclass: 'halfvec_cosine_ops' },
} as const satisfies Record<number, { type: 'vector' | 'halfvec'; opclass: string }>;

export const VECTOR_INDEX_SQL = Object.entries(VECTOR_INDEXES)
  .map(
    ([dim, { type, opclass }]) =>
      `CREATE INDEX IF NOT EXISTS local_vectors_hnsw_${dim} ON local_vectors ` +
      `USING hnsw ((embedding::${type}(${dim})) ${opclass}) WHERE vector_dims(embedding) = ${dim};`,
  )
  .join('\n');

/**
 * Session settings for vector search. With a namespace filter the HNSW scan would stop after
 * ef_search candidates, most of them from other namespaces, and return too few rows; iterative
 * scans keep walking the graph (in distance order) until the LIMIT is met. ef_search equals the
 * candidates search asks for at topK 10 (40): 64 cost a third more CPU per HNSW query at 10k
 * chunks (10.3 vs 7.3 ms) with the same vector recall@5 on bench:retrieval's mixed-10k set.
 */
const VECTOR_SESSION_SQL = `
SET hnsw.iterative_scan = strict_order;
SET hnsw.ef_search = 40;
`;

/**
 * Tables only the local runtime needs. They stay out of the drizzle migrations because Neon in
 * production must not require pgvector, and jobs/mail live in QStash and a mail API there.
 */
const LOCAL_TABLES_SQL = `
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE IF NOT EXISTS local_vectors (
  namespace text NOT NULL,
  id text NOT NULL,
  embedding vector NOT NULL,
  metadata jsonb,
  PRIMARY KEY (namespace, id)
);

${VECTOR_INDEX_SQL}

CREATE TABLE IF NOT EXISTS local_jobs (
  id text PRIMARY KEY,
  name text NOT NULL,
  payload jsonb,
  dedup_id text UNIQUE,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  run_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS local_jobs_due_idx ON local_jobs (status, run_at);

CREATE TABLE IF NOT EXISTS local_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "to" text NOT NULL,
  subject text NOT NULL,
  text text NOT NULL,
  html text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS local_outbox_to_idx ON local_outbox ("to", created_at DESC);
-- Email channels answer from their own address, in a thread (added after the table existed).
ALTER TABLE local_outbox ADD COLUMN IF NOT EXISTS "from" text;
ALTER TABLE local_outbox ADD COLUMN IF NOT EXISTS headers jsonb;
`;

/**
 * Finds `db/migrations` by walking up from this module, so the same code works from the source
 * tree (functions/adapters/local) and from a bundle (dist/server/server.js).
 */
export function findMigrationsFolder(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'db', 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`db/migrations not found above ${from}; pass migrationsFolder explicitly`);
}

/**
 * New GIN entries normally wait in the index's pending list until a vacuum merges them; while
 * they wait, the planner prefers a sequential scan and full-text search slows down (about 20 ms
 * instead of 3 at 10k chunks). Neon's autovacuum merges them; PGlite has no autovacuum, so locally
 * the index takes entries directly (and anything an older data directory left pending is merged).
 */
const FULLTEXT_INDEX_SQL = `
  ALTER INDEX chunks_search_idx SET (fastupdate = off);
  SELECT gin_clean_pending_list('chunks_search_idx'::regclass);`;

/**
 * PGlite's own start parameters plus smaller buffers: Postgres's default 128 MB of shared buffers
 * live in the WebAssembly heap and are touched at start, which alone cost ~130 MB of RSS; the OS
 * page cache serves what does not fit. 8 MB rather than 16 since the database has a thread of
 * its own (the thread's own memory cost ~10 MB of idle RSS; `npm start`'s budget is 200 MiB). One
 * session only, so few connection slots.
 */
const PGLITE_START_PARAMS = [
  ...PGlite.defaultStartParams,
  '-c', 'shared_buffers=8MB',
  '-c', 'max_connections=5',
];

/** The local schema's fingerprint: every committed migration and the local-only SQL. */
export function schemaFingerprint(migrationsFolder: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return hash.update(LOCAL_TABLES_SQL).update(FULLTEXT_INDEX_SQL).digest('hex');
}

const SCHEMA_STATE_SQL = `CREATE TABLE IF NOT EXISTS local_schema_state (id integer PRIMARY KEY, fingerprint text NOT NULL)`;

async function appliedFingerprint(pglite: PGlite): Promise<string | null> {
  const exists = await pglite.query<{ found: boolean }>(`SELECT to_regclass('public.local_schema_state') IS NOT NULL AS found`);
  if (!exists.rows[0]?.found) return null;
  const row = await pglite.query<{ fingerprint: string }>('SELECT fingerprint FROM local_schema_state WHERE id = 1');
  return row.rows[0]?.fingerprint ?? null;
}

/**
 * Brings the schema up to date. Checking a dozen migrations and re-running the local DDL costs
 * about half a second at every start, so a database whose schema already matches the
 * fingerprint of the code (a data directory, or the test template) skips it.
 */
async function migrateIfChanged(pglite: PGlite, migrationsFolder: string) {
  const fingerprint = schemaFingerprint(migrationsFolder);
  if ((await appliedFingerprint(pglite)) === fingerprint) return;
  await migrate(drizzle({ client: pglite }), { migrationsFolder });
  await pglite.exec(LOCAL_TABLES_SQL);
  await pglite.exec(FULLTEXT_INDEX_SQL);
  await pglite.exec(SCHEMA_STATE_SQL);
  await pglite.query(
    'INSERT INTO local_schema_state (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint',
    [fingerprint],
  );
}

let cachedTemplate: { path: string; blob: Blob } | undefined;

/** A dump of a migrated data directory (see DATABASE_TEMPLATE_ENV in database.ts), read once per thread. */
function templateAt(path: string | undefined): Blob | undefined {
  if (!path || !existsSync(path)) return undefined;
  if (cachedTemplate?.path !== path) cachedTemplate = { path, blob: new Blob([readFileSync(path)]) };
  return cachedTemplate.blob;
}

export interface OpenPGliteOptions {
  migrationsFolder: string;
  /** In memory only: start from this dump instead of an empty cluster. */
  templatePath?: string;
}

/**
 * Opens PGlite (persisted under `${dataDir}/pg`, in memory when dataDir is null), brings the schema
 * up to date and sets the session up for vector search.
 */
export async function openPGlite(dataDir: string | null, options: OpenPGliteOptions): Promise<PGlite> {
  const template = dataDir === null ? templateAt(options.templatePath) : undefined;
  const settings = { extensions: { vector }, startParams: PGLITE_START_PARAMS, loadDataDir: template };
  const pglite = dataDir === null ? new PGlite(settings) : new PGlite(join(dataDir, 'pg'), settings);
  try {
    // A template carries the fingerprint of the schema it was made with: one made from other
    // migrations is brought up to date like any data directory.
    await migrateIfChanged(pglite, options.migrationsFolder);
    await pglite.exec(VECTOR_SESSION_SQL);
    return pglite;
  } catch (error) {
    await pglite.close().catch(() => {});
    throw error;
  }
}
