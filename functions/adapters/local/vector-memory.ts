import type { VectorMatch, VectorRecord } from '../../ports';

/**
 * The vectors of small namespaces, held in memory by the local pgvector store (vectors.ts) so an
 * exact search is arithmetic on the Node thread instead of a statement. In PGlite an exact scan of
 * a 1,000-chunk knowledge base detoasts and compares every stored vector: 10–14 ms of the one
 * connection per chat turn, while the same dot products over a Float32Array take well under a
 * millisecond (the built-in embedder's queries are sparse: only their non-zero slots are read).
 *
 * One process owns the data directory and this store is the only writer of `local_vectors`, so
 * the copy stays exact: the store applies each write it commits to the copy as well.
 */

type Metadata = VectorMatch['metadata'];

/** Vectors of one dimension in one namespace: rows in a growable row-major Float32Array. */
class DimensionRows {
  ids: string[] = [];
  metadata: Metadata[] = [];
  /** Each row's L2 norm (0: a zero vector, which has no direction and ranks nowhere). */
  norms: number[] = [];
  values: Float32Array;
  readonly rowOf = new Map<string, number>();

  constructor(readonly dim: number) {
    this.values = new Float32Array(dim * 16);
  }

  get count() {
    return this.ids.length;
  }

  get bytes() {
    return this.values.byteLength;
  }

  set(id: string, values: ArrayLike<number>, metadata: Metadata) {
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      this.ids.push(id);
      this.metadata.push(metadata);
      this.norms.push(0);
      this.rowOf.set(id, row);
      if ((row + 1) * this.dim > this.values.length) {
        const grown = new Float32Array(this.values.length * 2);
        grown.set(this.values);
        this.values = grown;
      }
    }
    this.metadata[row] = metadata;
    const offset = row * this.dim;
    let squares = 0;
    for (let j = 0; j < this.dim; j++) {
      // Stored as float4, as pgvector stores them, so scores match the SQL search's.
      const v = Math.fround(values[j]);
      this.values[offset + j] = v;
      squares += v * v;
    }
    this.norms[row] = Math.sqrt(squares);
  }

  /** Removes a row by moving the last one into its place. */
  delete(id: string) {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    if (row !== last) {
      const lastId = this.ids[last];
      this.ids[row] = lastId;
      this.metadata[row] = this.metadata[last];
      this.norms[row] = this.norms[last];
      this.values.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.rowOf.set(lastId, row);
    }
    this.ids.pop();
    this.metadata.pop();
    this.norms.pop();
    this.rowOf.delete(id);
  }

  /** The `limit` rows most similar to `query` by cosine, best first, as the SQL exact search returns them. */
  search(query: ArrayLike<number>, limit: number): VectorMatch[] {
    const { dim, values, norms } = this;
    let queryNorm = 0;
    const slots: number[] = [];
    for (let j = 0; j < dim; j++) {
      const v = Math.fround(query[j]);
      queryNorm += v * v;
      if (v !== 0) slots.push(j);
    }
    queryNorm = Math.sqrt(queryNorm);
    if (queryNorm === 0 || limit <= 0) return [];
    const weights = slots.map((j) => Math.fround(query[j]));
    // Best `limit` so far, kept sorted (best first); limits are tens, so insertion is cheapest.
    const best: Array<{ row: number; score: number }> = [];
    for (let row = 0; row < this.ids.length; row++) {
      const norm = norms[row];
      if (norm === 0) continue;
      const offset = row * dim;
      let dot = 0;
      for (let k = 0; k < slots.length; k++) dot += values[offset + slots[k]] * weights[k];
      const score = dot / (norm * queryNorm);
      if (best.length === limit && score <= best[limit - 1].score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1].score < score) at--;
      best.splice(at, 0, { row, score });
      if (best.length > limit) best.pop();
    }
    return best.map(({ row, score }) => {
      const metadata = this.metadata[row];
      return { id: this.ids[row], score, ...(metadata ? { metadata } : {}) };
    });
  }
}

/** Every vector of one namespace, by dimension (an id has one dimension at a time, as in the table). */
export class NamespaceRows {
  readonly byDim = new Map<number, DimensionRows>();
  private readonly dimOf = new Map<string, number>();

  get count() {
    return this.dimOf.size;
  }

  get bytes() {
    let total = 0;
    for (const rows of this.byDim.values()) total += rows.bytes;
    return total;
  }

  upsert(records: ReadonlyArray<Pick<VectorRecord, 'id' | 'values' | 'metadata'>>) {
    for (const record of records) {
      const dim = record.values.length;
      const previous = this.dimOf.get(record.id);
      if (previous !== undefined && previous !== dim) this.byDim.get(previous)?.delete(record.id);
      let rows = this.byDim.get(dim);
      if (!rows) this.byDim.set(dim, (rows = new DimensionRows(dim)));
      rows.set(record.id, record.values, record.metadata);
      this.dimOf.set(record.id, dim);
    }
  }

  delete(ids: readonly string[]) {
    for (const id of ids) {
      const dim = this.dimOf.get(id);
      if (dim === undefined) continue;
      this.byDim.get(dim)?.delete(id);
      this.dimOf.delete(id);
    }
  }

  /** Vectors of another dimension (an older embedding model) cannot be compared: they are skipped, as in SQL. */
  search(query: ArrayLike<number>, limit: number): VectorMatch[] {
    return this.byDim.get(query.length)?.search(query, limit) ?? [];
  }
}

/** Parses pgvector's text output (`[0.1,-2,3e-05]`). */
export function parseVectorText(text: string): number[] {
  const body = text.slice(1, -1);
  if (body.length === 0) return [];
  return body.split(',').map(Number);
}

/**
 * The namespaces held in memory, least recently searched evicted first once their vectors pass
 * `maxBytes`. A namespace is copied only when no write touched it for `quietMs` (a knowledge base
 * being ingested changes on every batch; its searches stay in SQL until it settles), and a copy
 * that a write raced is thrown away rather than trusted.
 */
export function createVectorMemory(options: {
  maxBytes: number;
  quietMs: number;
  /** Reads a namespace page by page, by id after `after`; the pages run as background statements. */
  readPage: (namespace: string, after: string, limit: number) => Promise<Array<{ id: string; values: number[]; metadata: Metadata | null }>>;
  pageSize?: number;
  now?: () => number;
}) {
  const now = options.now ?? (() => performance.now());
  const pageSize = options.pageSize ?? 250;
  /** Loaded namespaces; Map order is recency (a search moves its namespace to the end). */
  const loaded = new Map<string, NamespaceRows>();
  const loading = new Map<string, Promise<void>>();
  /** Bumped by every write, so a load that overlapped one knows its copy may be stale. */
  const versions = new Map<string, number>();
  const lastWrite = new Map<string, number>();

  const version = (namespace: string) => versions.get(namespace) ?? 0;

  function evictOverBudget() {
    let total = 0;
    for (const rows of loaded.values()) total += rows.bytes;
    for (const [namespace, rows] of loaded) {
      if (total <= options.maxBytes) break;
      loaded.delete(namespace);
      total -= rows.bytes;
    }
  }

  async function load(namespace: string) {
    const startedAt = version(namespace);
    const rows = new NamespaceRows();
    let after = '';
    for (;;) {
      const page = await options.readPage(namespace, after, pageSize);
      // A write since the load began: this copy may miss it. The next search tries again.
      if (version(namespace) !== startedAt) return;
      rows.upsert(page.map((row) => ({ id: row.id, values: row.values, metadata: row.metadata ?? undefined })));
      if (rows.bytes > options.maxBytes) return;
      if (page.length < pageSize) break;
      after = page[page.length - 1].id;
    }
    loaded.set(namespace, rows);
    evictOverBudget();
  }

  return {
    /** The namespace's rows when they are in memory (and marks it recently used). */
    get(namespace: string): NamespaceRows | undefined {
      const rows = loaded.get(namespace);
      if (rows) {
        loaded.delete(namespace);
        loaded.set(namespace, rows);
      }
      return rows;
    },

    /** Starts copying a namespace the store found small; returns the load, or null when none starts. */
    want(namespace: string): Promise<void> | null {
      if (loaded.has(namespace) || loading.has(namespace)) return null;
      if (now() - (lastWrite.get(namespace) ?? -Infinity) < options.quietMs) return null;
      const started = load(namespace)
        // A failed load only means searches stay in SQL; the next one tries again.
        .catch(() => {})
        .finally(() => loading.delete(namespace));
      loading.set(namespace, started);
      return started;
    },

    /** Before a write to the table: loads in flight are void from here on. */
    writing(namespace: string) {
      versions.set(namespace, version(namespace) + 1);
      lastWrite.set(namespace, now());
    },

    /** After a committed upsert: the copy takes the new rows; false when it was dropped for growing past `maxRows`. */
    upserted(namespace: string, records: readonly VectorRecord[], maxRows: number): boolean {
      const rows = loaded.get(namespace);
      if (!rows) return false;
      rows.upsert(records);
      if (rows.count > maxRows || rows.bytes > options.maxBytes) {
        loaded.delete(namespace);
        return false;
      }
      evictOverBudget();
      return true;
    },

    deleted(namespace: string, ids: readonly string[]) {
      loaded.get(namespace)?.delete(ids);
    },

    /** Drops a namespace's copy (its table rows went, or a write failed half way). */
    forget(namespace: string) {
      loaded.delete(namespace);
    },

    /** Resolves when no load is in flight (tests, and the runtime's `idle`). */
    async settled() {
      while (loading.size > 0) await Promise.all([...loading.values()]);
    },
  };
}

export type VectorMemory = ReturnType<typeof createVectorMemory>;
