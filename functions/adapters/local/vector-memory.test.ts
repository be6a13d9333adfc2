import { describe, expect, it } from 'vitest';
import { createVectorMemory, NamespaceRows, parseVectorText } from './vector-memory';

type Page = Array<{ id: string; values: number[]; metadata: Record<string, string | number | boolean> | null }>;

/** A namespace table in a Map, read in pages by id like the SQL loader; `gate` holds a page back until released. */
function fakeTable(rows: Page) {
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  let gate: Promise<void> | null = null;
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    readPage: async (_namespace: string, after: string, limit: number) => {
      reads++;
      if (gate) await gate;
      return sorted.filter((row) => row.id > after).slice(0, limit);
    },
  };
}

describe('NamespaceRows', () => {
  it('ranks by cosine, skips zero vectors and other dimensions, and keeps metadata', () => {
    const rows = new NamespaceRows();
    rows.upsert([
      { id: 'x', values: [1, 0, 0], metadata: { position: 1 } },
      { id: 'xy', values: [1, 1, 0] },
      { id: 'y', values: [0, 1, 0] },
      { id: 'zero', values: [0, 0, 0] },
      { id: 'flat', values: [1, 0] },
    ]);
    const matches = rows.search([2, 0.1, 0], 3);
    expect(matches.map((m) => m.id)).toEqual(['x', 'xy', 'y']);
    expect(matches[0].metadata).toEqual({ position: 1 });
    expect(matches[1].metadata).toBeUndefined();
    expect(matches[1].score).toBeCloseTo((2 + 0.1) / (Math.hypot(2, 0.1) * Math.SQRT2), 6);
    expect(rows.search([0, 0, 0], 3)).toEqual([]);
    expect(rows.search([1, 0], 5).map((m) => m.id)).toEqual(['flat']);
  });

  it('moves an id to its new dimension, updates in place and deletes', () => {
    const rows = new NamespaceRows();
    rows.upsert([{ id: 'a', values: [1, 0] }, { id: 'b', values: [0, 1] }, { id: 'c', values: [1, 1] }]);
    rows.upsert([{ id: 'a', values: [0, 1, 0] }, { id: 'b', values: [1, 0], metadata: { v: 2 } }]);
    expect(rows.count).toBe(3);
    expect(rows.search([1, 0], 5).map((m) => [m.id, m.metadata?.v])).toEqual([['b', 2], ['c', undefined]]);
    expect(rows.search([0, 1, 0], 5).map((m) => m.id)).toEqual(['a']);
    rows.delete(['b', 'missing']);
    expect(rows.search([1, 0], 5).map((m) => m.id)).toEqual(['c']);
    expect(rows.count).toBe(2);
  });

  it('grows past its first allocation and finds the best rows of many', () => {
    const rows = new NamespaceRows();
    const count = 500;
    rows.upsert(Array.from({ length: count }, (_, i) => ({ id: `r${i}`, values: [Math.cos(i / 100), Math.sin(i / 100), 0.5] })));
    const best = rows.search([Math.cos(2.5), Math.sin(2.5), 0.5], 5).map((m) => m.id);
    expect(best[0]).toBe('r250');
    expect(new Set(best)).toEqual(new Set(['r248', 'r249', 'r250', 'r251', 'r252']));
  });
});

describe('parseVectorText', () => {
  it("reads pgvector's text output", () => {
    expect(parseVectorText('[0.5,-2,3e-05]')).toEqual([0.5, -2, 3e-5]);
    expect(parseVectorText('[]')).toEqual([]);
  });
});

describe('createVectorMemory', () => {
  const rowsOf = (count: number, dim = 4): Page =>
    Array.from({ length: count }, (_, i) => ({ id: `id${String(i).padStart(4, '0')}`, values: Array.from({ length: dim }, (_, j) => (i + j) % 3), metadata: null }));

  it('copies a namespace page by page and serves it until a write makes it stale', async () => {
    const table = fakeTable(rowsOf(25));
    const memory = createVectorMemory({ maxBytes: 1 << 20, quietMs: 0, readPage: table.readPage, pageSize: 10 });
    expect(memory.get('kb')).toBeUndefined();
    await memory.want('kb');
    expect(table.reads).toBe(3);
    expect(memory.get('kb')?.count).toBe(25);
    expect(memory.want('kb')).toBeNull();
  });

  it('throws away a copy that a write raced, and waits for writes to quiet down before copying', async () => {
    let clock = 0;
    const table = fakeTable(rowsOf(5));
    const memory = createVectorMemory({ maxBytes: 1 << 20, quietMs: 1000, readPage: table.readPage, now: () => clock });
    const release = table.hold();
    const load = memory.want('kb');
    memory.writing('kb');
    release();
    await load;
    expect(memory.get('kb')).toBeUndefined();
    // Just written: no copy until the namespace has been quiet for quietMs.
    expect(memory.want('kb')).toBeNull();
    clock = 1500;
    await memory.want('kb');
    expect(memory.get('kb')?.count).toBe(5);
  });

  it('applies committed writes to a copy, and drops it when it outgrows exact search', async () => {
    const memory = createVectorMemory({ maxBytes: 1 << 20, quietMs: 0, readPage: fakeTable(rowsOf(3)).readPage });
    await memory.want('kb');
    expect(memory.upserted('kb', [{ id: 'new', values: [1, 0, 0, 0] }], 10)).toBe(true);
    expect(memory.get('kb')?.search([1, 0, 0, 0], 1)[0].id).toBe('new');
    memory.deleted('kb', ['new']);
    expect(memory.get('kb')?.count).toBe(3);
    expect(memory.upserted('kb', rowsOf(20).map((r) => ({ ...r, id: `more${r.id}`, metadata: undefined })), 10)).toBe(false);
    expect(memory.get('kb')).toBeUndefined();
    expect(memory.upserted('other', [{ id: 'x', values: [1, 0, 0, 0] }], 10)).toBe(false);
  });

  it('evicts the least recently searched namespace past its memory budget', async () => {
    // 16 rows of 4 floats: 256 bytes per namespace; two fit.
    const memory = createVectorMemory({ maxBytes: 600, quietMs: 0, readPage: fakeTable(rowsOf(3)).readPage });
    await memory.want('a');
    await memory.want('b');
    memory.get('a');
    await memory.want('c');
    expect([memory.get('a'), memory.get('b'), memory.get('c')].map(Boolean)).toEqual([true, false, true]);
    // A namespace larger than the whole budget is never kept.
    const big = createVectorMemory({ maxBytes: 100, quietMs: 0, readPage: fakeTable(rowsOf(3)).readPage });
    await big.want('a');
    expect(big.get('a')).toBeUndefined();
  });
});
