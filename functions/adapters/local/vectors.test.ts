import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { openLocalDatabase, type LocalDatabase } from './database';
import { queryRows } from './database';
import { watchStatements } from './priority';
import { adaptiveInsertSize, analyzeDelay, ANALYZE_REST_FACTOR, createPgVectorStore, EXACT_SEARCH_MAX, hnswQuery } from './vectors';

/** Deterministic pseudo-random unit-ish vectors (mulberry32), so failures reproduce. */
function randomVectors(count: number, dim: number, seed: number): number[][] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => Array.from({ length: dim }, next));
}

/**
 * These stores share one database: a store's ANALYZE, due 2 s after its writes, would otherwise
 * run during a later test and show up among the statements that test counts.
 */
const NO_STATISTICS_RUN = { analyzeDebounceMs: 3_600_000 };

describe('createPgVectorStore', () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await openLocalDatabase(null);
  });
  afterAll(() => local?.close());
  const ns = () => `kb_${randomUUID()}`;

  it('ranks by cosine similarity and returns metadata', async () => {
    const store = createPgVectorStore(local.db, NO_STATISTICS_RUN);
    const kb = ns();
    await store.upsert(kb, [
      { id: 'x', values: [1, 0, 0], metadata: { documentId: 'd1', position: 0 } },
      { id: 'xy', values: [1, 1, 0] },
      { id: 'y', values: [0, 1, 0] },
      { id: 'neg', values: [-1, 0, 0] },
    ]);
    const matches = await store.query(kb, [2, 0.1, 0], 3);
    expect(matches.map((m) => m.id)).toEqual(['x', 'xy', 'y']);
    expect(matches[0].score).toBeGreaterThan(0.99);
    expect(matches[0].metadata).toEqual({ documentId: 'd1', position: 0 });
    expect(matches[1].metadata).toBeUndefined();
    expect(matches[1].score).toBeCloseTo(1 - (1 - (2 + 0.1) / (Math.hypot(2, 0.1) * Math.SQRT2)), 5);
  });

  it('updates on upsert of an existing id and skips other dimensions', async () => {
    const store = createPgVectorStore(local.db, NO_STATISTICS_RUN);
    const kb = ns();
    await store.upsert(kb, [{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1] }]);
    await store.upsert(kb, [{ id: 'a', values: [0, 1], metadata: { v: 2 } }, { id: 'c', values: [0, 1, 0] }]);
    const matches = await store.query(kb, [0, 1], 10);
    expect(matches.map((m) => m.id).sort()).toEqual(['a', 'b']);
    expect(matches.find((m) => m.id === 'a')).toMatchObject({ metadata: { v: 2 } });
    expect((await store.query(kb, [0, 1, 0], 10)).map((m) => m.id)).toEqual(['c']);
  });

  it('keeps namespaces apart and deletes by id and by namespace', async () => {
    const store = createPgVectorStore(local.db, NO_STATISTICS_RUN);
    const [kb1, kb2] = [ns(), ns()];
    await store.upsert(kb1, [{ id: 'a', values: [1, 0] }, { id: 'b', values: [1, 1] }]);
    await store.upsert(kb2, [{ id: 'a', values: [1, 0] }]);
    expect((await store.query(kb2, [1, 0], 10)).map((m) => m.id)).toEqual(['a']);

    await store.deleteIds(kb1, ['a']);
    expect((await store.query(kb1, [1, 0], 10)).map((m) => m.id)).toEqual(['b']);
    expect(await store.query(kb2, [1, 0], 10)).toHaveLength(1);

    await store.deleteNamespace(kb1);
    expect(await store.query(kb1, [1, 0], 10)).toEqual([]);
    expect(await store.query(kb2, [1, 0], 10)).toHaveLength(1);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('searches a large namespace through the HNSW index of its dimension', async () => {
    // A low threshold keeps the test fast; the default (EXACT_SEARCH_MAX) behaves the same.
    const store = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, exactSearchMax: 100 });
    expect(EXACT_SEARCH_MAX).toBeGreaterThan(100);
    const kb = ns();
    const other = ns();
    const vectors = randomVectors(300, 384, 7);
    await store.upsert(kb, vectors.map((values, i) => ({ id: `v${i}`, values })));
    // A neighbour of v5 in another namespace must not leak in.
    await store.upsert(other, [{ id: 'intruder', values: vectors[5] }]);

    const matches = await store.query(kb, vectors[5], 10);
    expect(matches).toHaveLength(10);
    expect(matches[0]).toMatchObject({ id: 'v5' });
    expect(matches[0].score).toBeCloseTo(1, 5);
    expect(matches.some((m) => m.id === 'intruder')).toBe(false);
    for (let i = 1; i < matches.length; i++) expect(matches[i - 1].score).toBeGreaterThanOrEqual(matches[i].score);

    const literal = `[${vectors[5].join(',')}]`;
    const plan = await queryRows<{ 'QUERY PLAN': string }>(
      local.db,
      sql`EXPLAIN ${hnswQuery(kb, literal, 384, 'vector', 10)}`,
    );
    const text = plan.map((r) => r['QUERY PLAN'].replace(/'\[[^\]]*\]'/g, "'[...]'")).join('\n');
    expect(text, text).toContain('local_vectors_hnsw_384');
  }, 60_000);

  it('has a partial HNSW index per common dimension (3072 as halfvec)', async () => {
    const indexes = await queryRows<{ indexname: string; indexdef: string }>(
      local.db,
      sql`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'local_vectors' AND indexname LIKE '%hnsw%' ORDER BY 1`,
    );
    expect(indexes.map((i) => i.indexname)).toEqual(['local_vectors_hnsw_1536', 'local_vectors_hnsw_3072', 'local_vectors_hnsw_384', 'local_vectors_hnsw_768']);
    expect(indexes.find((i) => i.indexname.endsWith('3072'))?.indexdef).toContain('halfvec(3072)');
    const literal = `[${randomVectors(1, 3072, 3)[0].join(',')}]`;
    const plan = await queryRows<{ 'QUERY PLAN': string }>(
      local.db,
      sql`EXPLAIN ${hnswQuery(ns(), literal, 3072, 'halfvec', 5)}`,
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('local_vectors_hnsw_3072');
  });

  describe('exact search of small namespaces in memory', () => {
    /** The statements `fn` sends to the database. */
    async function statementsOf<T>(fn: () => Promise<T>) {
      const texts: string[] = [];
      const stop = watchStatements(local.pglite, (entry) => texts.push(entry.text));
      try {
        return { result: await fn(), texts };
      } finally {
        stop();
      }
    }

    const ids = (matches: Array<{ id: string }>) => matches.map((m) => m.id);

    /** A fresh namespace of `count` random vectors, written and searched once through `store` (which may start copying it). */
    async function searchedNamespace(store: ReturnType<typeof createPgVectorStore>, count: number, seed: number) {
      const kb = ns();
      const vectors = randomVectors(count, 384, seed);
      await store.upsert(kb, vectors.map((values, i) => ({ id: `v${i}`, values })));
      await store.query(kb, vectors[0], 5);
      await store.settled();
      return { kb, vectors };
    }

    it('copies a small namespace after its first search and then answers as SQL does, without a statement', async () => {
      const store = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, memoryQuietMs: 0 });
      const sqlOnly = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, memoryBytes: 0 });
      const kb = ns();
      const vectors = randomVectors(200, 384, 11);
      await store.upsert(kb, [
        ...vectors.map((values, i) => ({ id: `v${i}`, values, metadata: { position: i } })),
        { id: 'zero', values: new Array(384).fill(0) },
        { id: 'other-dimension', values: [1, 0, 0] },
      ]);
      const query = randomVectors(1, 384, 12)[0];
      const first = await statementsOf(() => store.query(kb, query, 20));
      expect(first.texts.length).toBeGreaterThan(0);
      await store.settled();

      const second = await statementsOf(() => store.query(kb, query, 20));
      expect(second.texts).toEqual([]);
      expect(ids(second.result)).toEqual(ids(first.result));
      second.result.forEach((match, i) => expect(match.score).toBeCloseTo(first.result[i].score, 5));
      expect(second.result[0].metadata).toEqual(first.result[0].metadata);
      expect(ids(await store.query(kb, [0, 1, 0], 5))).toEqual(ids(await sqlOnly.query(kb, [0, 1, 0], 5)));
    });

    it('keeps the copy exact through upserts, deletions and a dropped namespace', async () => {
      const store = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, memoryQuietMs: 0 });
      const sqlOnly = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, memoryBytes: 0 });
      const { kb, vectors } = await searchedNamespace(store, 50, 21);

      const [probe] = randomVectors(1, 384, 22);
      // 'fresh' is nearly, not exactly, the probe's direction: a tie would leave the order to the plan.
      await store.upsert(kb, [{ id: 'v3', values: probe, metadata: { moved: true } }, { id: 'fresh', values: probe.map((v, i) => v * 2 + (i === 0 ? 0.01 : 0)) }]);
      await store.deleteIds(kb, ['v4', 'v5']);
      const fromMemory = await statementsOf(() => store.query(kb, probe, 10));
      expect(fromMemory.texts).toEqual([]);
      expect(ids(fromMemory.result)).toEqual(ids(await sqlOnly.query(kb, probe, 10)));
      expect(ids(fromMemory.result).slice(0, 2).sort()).toEqual(['fresh', 'v3']);
      expect(fromMemory.result.find((m) => m.id === 'v3')?.metadata).toEqual({ moved: true });
      expect(ids(await store.query(kb, vectors[4], 50))).not.toContain('v4');

      await store.deleteNamespace(kb);
      expect(await store.query(kb, probe, 10)).toEqual([]);
    });

    it('leaves a namespace that is still being written, and one grown past exact search, to SQL', async () => {
      const busy = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, memoryQuietMs: 60_000 });
      const { kb, vectors } = await searchedNamespace(busy, 30, 31);
      expect((await statementsOf(() => busy.query(kb, vectors[0], 5))).texts.length).toBeGreaterThan(0);

      const store = createPgVectorStore(local.db, { ...NO_STATISTICS_RUN, memoryQuietMs: 0, exactSearchMax: 40 });
      await store.query(kb, vectors[0], 5);
      await store.settled();
      expect((await statementsOf(() => store.query(kb, vectors[0], 5))).texts).toEqual([]);
      await store.upsert(kb, randomVectors(20, 384, 32).map((values, i) => ({ id: `w${i}`, values })));
      const grown = await statementsOf(() => store.query(kb, vectors[0], 5));
      expect(grown.texts.join('\n')).toContain('local_vectors');
      expect(grown.result[0].id).toBe('v0');
    });
  });
});

describe('statistics after writes (PGlite has no autovacuum)', () => {
  it('gathers them once after a burst of writes', async () => {
    const local = await openLocalDatabase(null);
    onTestFinished(() => local.close());
    let analyzed = 0;
    const store = createPgVectorStore(local.db, { analyzeDebounceMs: 50, onAnalyzed: () => analyzed++ });
    const lastAnalyze = async (table: string) =>
      (await queryRows<{ at: string | null }>(local.db, sql`SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = ${table}`))[0]?.at ?? null;
    expect(await lastAnalyze('chunks')).toBeNull();
    const kb = `kb_${randomUUID()}`;
    for (let i = 0; i < 5; i++) await store.upsert(kb, randomVectors(20, 3, i).map((values, j) => ({ id: `${i}-${j}`, values })));
    // The callback runs after every ingested table is analyzed.
    await vi.waitFor(() => expect(analyzed).toBe(1), { timeout: 10_000 });
    expect(await lastAnalyze('chunks')).not.toBeNull();
    expect(await lastAnalyze('knowledge_base_terms')).not.toBeNull();
    // The vectors' own statistics change no plan and were the longest hold of a big ingestion.
    expect(await lastAnalyze('local_vectors')).toBeNull();
  });
});

describe('the rest after a statistics run', () => {
  it('waits the debounce alone at first, then rests in proportion to how long the last run took', () => {
    expect(analyzeDelay(2000, null, 0)).toBe(2000);
    // A 400 ms run that ended at t = 10 s: nothing before 10 s + 20 x 400 ms.
    const last = { endedAt: 10_000, tookMs: 400 };
    expect(analyzeDelay(2000, last, 11_000)).toBe(10_000 + 400 * ANALYZE_REST_FACTOR - 11_000);
    // Long after the rest, the debounce again.
    expect(analyzeDelay(2000, last, 60_000)).toBe(2000);
  });
});

describe('vectors per INSERT', () => {
  it('halves after a slow insert and doubles after a fast one, within 1 and the maximum', () => {
    const size = adaptiveInsertSize(4, 16, 10);
    size.took(30);
    expect(size.size).toBe(2);
    size.took(30);
    size.took(30);
    expect(size.size).toBe(1);
    size.took(10);
    expect(size.size).toBe(1);
    for (let i = 0; i < 6; i++) size.took(1);
    expect(size.size).toBe(16);
  });
});
