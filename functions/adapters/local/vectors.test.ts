import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalDatabase, type LocalDatabase } from './database';
import { createPgVectorStore } from './vectors';

describe('createPgVectorStore', () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await openLocalDatabase(null);
  });
  afterAll(() => local?.close());
  const ns = () => `kb_${randomUUID()}`;

  it('ranks by cosine similarity and returns metadata', async () => {
    const store = createPgVectorStore(local.db);
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
    const store = createPgVectorStore(local.db);
    const kb = ns();
    await store.upsert(kb, [{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1] }]);
    await store.upsert(kb, [{ id: 'a', values: [0, 1], metadata: { v: 2 } }, { id: 'c', values: [0, 1, 0] }]);
    const matches = await store.query(kb, [0, 1], 10);
    expect(matches.map((m) => m.id).sort()).toEqual(['a', 'b']);
    expect(matches.find((m) => m.id === 'a')).toMatchObject({ metadata: { v: 2 } });
    expect((await store.query(kb, [0, 1, 0], 10)).map((m) => m.id)).toEqual(['c']);
  });

  it('keeps namespaces apart and deletes by id and by namespace', async () => {
    const store = createPgVectorStore(local.db);
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
});
