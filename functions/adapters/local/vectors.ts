import { sql } from 'drizzle-orm';
import type { Database, DatabasePulse, VectorMatch, VectorRecord, VectorStore } from '../../ports';
import { queryRows, VECTOR_INDEXES } from './database';
import { inBackground } from './priority';
import { createVectorMemory, parseVectorText } from './vector-memory';

/**
 * Vectors per INSERT: each one is an HNSW insertion (a graph search of its own, dearer as the
 * graph grows: a fixed 16 held the connection and the event loop for hundreds of ms on a large
 * namespace), so the count follows how long the last INSERT took, to stay near
 * UPSERT_TARGET_MS, between 1 and UPSERT_BATCH_MAX.
 */
const UPSERT_BATCH_MAX = 16;
const UPSERT_TARGET_MS = 10;

/** Rows per INSERT that follow the last INSERT's duration (halve when slow, double when fast). */
export function adaptiveInsertSize(initial: number, max: number, targetMs: number) {
  let size = Math.max(1, Math.min(max, initial));
  return {
    get size() {
      return size;
    },
    took(ms: number) {
      if (ms > targetMs * 1.5) size = Math.max(1, Math.floor(size / 2));
      else if (ms < targetMs / 2) size = Math.min(max, size * 2);
    },
  };
}
/** Namespaces up to this many vectors are searched exactly; larger ones through HNSW. */
export const EXACT_SEARCH_MAX = 2000;
/**
 * Memory for the copies of small namespaces that exact searches read (vector-memory.ts): 64 MiB
 * holds about twenty full 768-dimension namespaces; past it the least recently searched go back
 * to SQL.
 */
export const VECTOR_MEMORY_BYTES = 64 * 1024 * 1024;

/** Nearest neighbours through the partial HNSW index of dimension `dim` (see VECTOR_INDEXES). */
export function hnswQuery(namespace: string, literal: string, dim: number, type: 'vector' | 'halfvec', limit: number) {
  // `dim` and `type` come from VECTOR_INDEXES, never from input, so inlining them is safe.
  // `namespace || ''` hides the primary key's namespace prefix from the planner: without fresh
  // statistics (PGlite runs no autovacuum) it would scan and sort the whole namespace instead,
  // and this query only runs for namespaces known to be large.
  const cast = sql.raw(`${type}(${dim})`);
  const predicate = sql.raw(`vector_dims(embedding) = ${dim}`);
  return sql`
    SELECT id, metadata, 1 - (embedding <=> ${literal}::vector) AS score
    FROM local_vectors
    WHERE ${predicate} AND (namespace || '') = ${namespace}
    ORDER BY (embedding::${cast}) <=> ${literal}::${cast}
    LIMIT ${limit}`;
}

function checkVector(values: number[]) {
  if (values.length === 0) throw new Error('vector must not be empty');
  for (const v of values) if (!Number.isFinite(v)) throw new Error('vector values must be finite numbers');
}

function toVectorLiteral(values: number[]): string {
  checkVector(values);
  return `[${values.join(',')}]`;
}

/** Quiet time after the last vector write before the local database gathers statistics. */
export const ANALYZE_DEBOUNCE_MS = 2000;

/**
 * A long ingestion pauses often enough (between jobs) for the debounce to fire again and again,
 * and each ANALYZE holds the one connection, and with it the event loop, for hundreds of
 * milliseconds once the tables are large. So a run is followed by a rest of this many times its
 * own duration: statistics cost at most ~5% of the time, and the last burst still gets its run.
 */
export const ANALYZE_REST_FACTOR = 20;

/** How long to wait before the next ANALYZE: the debounce, or longer while resting from the last run. */
export function analyzeDelay(debounceMs: number, last: { endedAt: number; tookMs: number } | null, now: number) {
  if (!last) return debounceMs;
  return Math.max(debounceMs, last.endedAt + last.tookMs * ANALYZE_REST_FACTOR - now);
}

/**
 * PGlite runs no autovacuum, so nothing would ever gather planner statistics: full-text and
 * vector plans then guess (a 10k-chunk search took 282 ms p50 instead of 16 ms after one ANALYZE).
 * Every ingestion burst ends in vector writes, so the store schedules one ANALYZE after the last
 * write of a burst. Errors are dropped: a database closed meanwhile has nothing to analyze.
 */
function debouncedAnalyze(db: Database, delayMs: number, onAnalyzed?: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: { endedAt: number; tookMs: number } | null = null;
  const run = () => {
    timer = undefined;
    const started = Date.now();
    analyzeIngestedTables(db).then(
      () => {
        last = { endedAt: Date.now(), tookMs: Date.now() - started };
        onAnalyzed?.();
      },
      () => {},
    );
  };
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, analyzeDelay(delayMs, last, Date.now()));
    // A pending ANALYZE must not keep a process (a test, a CLI) alive.
    timer.unref?.();
  };
}

/**
 * What ingestion changes, one table per statement: a whole-database ANALYZE held the one
 * connection and the event loop for seconds (every table, and statistics of every 384-float
 * embedding). Only the columns queries filter or rank on are analyzed; the row count, which the
 * planner needs most, comes with any of them. Each samples ANALYZE_SAMPLE_TARGET x 300 rows
 * instead of the default 100 x 300: on a 26,000-chunk knowledge base the default sample read
 * nearly every chunk and counted every lexeme of each (2.3 s under load), while a few thousand
 * rows give the planner the same row counts and the common lexemes.
 *
 * local_vectors is left out: sampling its wide rows was the longest hold of a big ingestion
 * (277-370 ms each, bench:health), and its statistics change no plan. Its searches have one
 * plan each whatever the statistics (EXPLAIN at 2,000 and 10,000 vectors, with and without:
 * an HNSW namespace hides its filter behind `namespace || ''`, so only the HNSW index orders it;
 * a small namespace reads its rows through the primary key's prefix or a sequential scan, the
 * same rows), and without a gathered row count the planner sizes the table from its pages.
 */
const ANALYZE_SAMPLE_TARGET = 20;
const INGESTED_TABLES = [
  'ANALYZE chunks (knowledge_base_id, document_id, organization_id, search_vector)',
  'ANALYZE documents',
  'ANALYZE knowledge_base_terms',
];

async function analyzeIngestedTables(db: Database) {
  // Each table is its own turn at the database gate: requests go first in between. SET LOCAL
  // keeps the smaller sample to that one ANALYZE.
  for (const statement of INGESTED_TABLES) {
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL default_statistics_target = ${ANALYZE_SAMPLE_TARGET}`));
      await tx.execute(sql.raw(statement));
    });
  }
}

/** pgvector store on `local_vectors`; one namespace per knowledge base, like Pinecone. */
export function createPgVectorStore(
  db: Database,
  options: {
    exactSearchMax?: number;
    analyzeDebounceMs?: number;
    onAnalyzed?: () => void;
    pulse?: DatabasePulse;
    /** 0 keeps every search in SQL. */
    memoryBytes?: number;
    /** A write this recent keeps a namespace out of memory (it is probably being ingested). */
    memoryQuietMs?: number;
    /** Where a namespace's copy into memory is handed, so the runtime's `idle` waits for it. */
    waitUntil?: (work: Promise<unknown>) => void;
  } = {},
): VectorStore & { settled(): Promise<void> } {
  const exactSearchMax = options.exactSearchMax ?? EXACT_SEARCH_MAX;
  const scheduleAnalyze = debouncedAnalyze(db, options.analyzeDebounceMs ?? ANALYZE_DEBOUNCE_MS, options.onAnalyzed);
  const memory = createVectorMemory({
    maxBytes: options.memoryBytes ?? VECTOR_MEMORY_BYTES,
    quietMs: options.memoryQuietMs ?? ANALYZE_DEBOUNCE_MS,
    // Background statements: a request's statements go first (priority.ts), so copying a
    // namespace never delays the chat turn that asked for it.
    readPage: (namespace, after, limit) =>
      inBackground(async () => {
        const rows = await queryRows<{ id: string; embedding: string; metadata: VectorMatch['metadata'] | null }>(
          db,
          sql`SELECT id, metadata, embedding::text AS embedding FROM local_vectors
            WHERE namespace = ${namespace} AND id > ${after} ORDER BY id LIMIT ${limit}`,
        );
        return rows.map((row) => ({ id: row.id, values: parseVectorText(row.embedding), metadata: row.metadata }));
      }),
  });
  const useMemory = (options.memoryBytes ?? VECTOR_MEMORY_BYTES) > 0;
  // Whether a namespace is small enough for exact search, remembered per namespace (one process
  // owns the database locally) and forgotten whenever that namespace changes.
  const smallNamespaces = new Map<string, boolean>();
  const upsertSize = adaptiveInsertSize(4, UPSERT_BATCH_MAX, UPSERT_TARGET_MS);
  const isSmall = async (namespace: string) => {
    const known = smallNamespaces.get(namespace);
    if (known !== undefined) return known;
    const [{ n }] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM local_vectors WHERE namespace = ${namespace} LIMIT ${exactSearchMax + 1}) s`,
    );
    const small = n <= exactSearchMax;
    smallNamespaces.set(namespace, small);
    return small;
  };
  return {
    colocated: true,
    async upsert(namespace, records) {
      smallNamespaces.delete(namespace);
      memory.writing(namespace);
      scheduleAnalyze();
      // Last record wins for a repeated id, as in Pinecone; Postgres would refuse the batch.
      const unique = [...new Map(records.map((r): [string, VectorRecord] => [r.id, r])).values()];
      for (let i = 0; i < unique.length; ) {
        const batch = unique.slice(i, i + upsertSize.size);
        i += batch.length;
        const rows = batch.map(
          (r) =>
            sql`(${namespace}, ${r.id}, ${toVectorLiteral(r.values)}::vector, ${
              r.metadata ? JSON.stringify(r.metadata) : null
            }::jsonb)`,
        );
        const started = performance.now();
        try {
          await db.execute(sql`
            INSERT INTO local_vectors (namespace, id, embedding, metadata)
            VALUES ${sql.join(rows, sql`, `)}
            ON CONFLICT (namespace, id) DO UPDATE
              SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata`);
        } catch (error) {
          memory.forget(namespace);
          throw error;
        }
        // Includes the wait for the connection; a busy database makes batches smaller, which is the point.
        upsertSize.took(performance.now() - started);
        // The copy in memory knows the namespace's size: no count before the next search.
        if (memory.upserted(namespace, batch, exactSearchMax)) smallNamespaces.set(namespace, true);
        else smallNamespaces.delete(namespace);
      }
    },

    async query(namespace, vector, topK) {
      if (topK <= 0) return [];
      checkVector(vector);
      const limit = Math.floor(topK);
      const inMemory = memory.get(namespace);
      if (inMemory) return inMemory.search(vector, limit);
      const literal = toVectorLiteral(vector);
      const dim = vector.length;
      const index = (VECTOR_INDEXES as Record<number, { type: 'vector' | 'halfvec' } | undefined>)[dim];
      // A small namespace is searched exactly (through the primary key's namespace prefix): that
      // is cheap, and an HNSW walk over a big shared table would visit mostly other namespaces.
      // Small ones are copied into memory for the searches after this one.
      const small = await isSmall(namespace);
      if (small && useMemory) {
        const load = memory.want(namespace);
        if (load) options.waitUntil?.(load);
      }
      // Vectors of another dimension (an older embedding model) cannot be compared, so skip them.
      // The HNSW variant repeats the index's expression and predicate literally, or the planner
      // cannot match the partial expression index.
      const query = small || !index
        ? sql`
          SELECT id, metadata, 1 - (embedding <=> ${literal}::vector) AS score
          FROM local_vectors
          WHERE namespace = ${namespace} AND vector_dims(embedding) = ${dim}
          ORDER BY embedding <=> ${literal}::vector
          LIMIT ${limit}`
        : hnswQuery(namespace, literal, dim, index!.type, limit);
      const rows = await queryRows<{ id: string; score: number; metadata: VectorMatch['metadata'] | null }>(db, query);
      // A zero vector has no direction: cosine distance is NaN and ranks nothing.
      return rows
        .filter((r) => Number.isFinite(Number(r.score)))
        .map((r) => ({ id: r.id, score: Number(r.score), ...(r.metadata ? { metadata: r.metadata } : {}) }));
    },

    async deleteIds(namespace, ids) {
      if (ids.length === 0) return;
      smallNamespaces.delete(namespace);
      memory.writing(namespace);
      scheduleAnalyze();
      try {
        await db.execute(
          sql`DELETE FROM local_vectors WHERE namespace = ${namespace} AND id = ANY(${sql.param(ids)}::text[])`,
        );
      } catch (error) {
        memory.forget(namespace);
        throw error;
      }
      memory.deleted(namespace, ids);
    },

    async deleteNamespace(namespace) {
      smallNamespaces.delete(namespace);
      memory.writing(namespace);
      memory.forget(namespace);
      scheduleAnalyze();
      await db.execute(sql`DELETE FROM local_vectors WHERE namespace = ${namespace}`);
    },

    settled: () => memory.settled(),

    async ping() {
      // The table lives in the one local database: a statement that just completed answers for it.
      if (options.pulse?.read().state === 'answering') return;
      await db.execute(sql`SELECT 1 FROM local_vectors LIMIT 1`);
    },
  };
}
