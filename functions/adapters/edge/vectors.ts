import type { VectorMatch, VectorRecord, VectorStore } from '../../ports';

export interface PineconeOptions {
  apiKey: string;
  /** The index's data-plane host from the Pinecone console, with or without `https://`. */
  indexHost: string;
}

/** The data-plane API version the official SDK (9.0.0) targets. */
const API_VERSION = '2026-07';
/** Pinecone accepts up to 1000 vectors / 2 MB per upsert and 1000 ids per delete. */
const UPSERT_BATCH = 100;
const DELETE_BATCH = 1000;

/**
 * Pinecone through its documented REST data plane with plain fetch. The official SDK is not used
 * because its assistant module imports `fs`, `path` and `stream`, which do not bundle for workerd
 * without `nodejs_compat`. One namespace per knowledge base keeps tenants apart.
 */
export function createPineconeStore(options: PineconeOptions): VectorStore {
  const base = (/^https?:\/\//.test(options.indexHost) ? options.indexHost : `https://${options.indexHost}`).replace(/\/$/, '');

  async function call<T>(path: string, body: unknown, allow404 = false): Promise<T | null> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'Api-Key': options.apiKey,
        'Content-Type': 'application/json',
        'X-Pinecone-API-Version': API_VERSION,
      },
      body: JSON.stringify(body),
    });
    if (allow404 && res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new Error(`Pinecone ${path} failed with ${res.status}: ${text.slice(0, 300)}`);
    }
    return (await res.json()) as T;
  }

  return {
    async upsert(namespace, records: VectorRecord[]) {
      for (let i = 0; i < records.length; i += UPSERT_BATCH) {
        const vectors = records.slice(i, i + UPSERT_BATCH).map((r) => ({
          id: r.id,
          values: r.values,
          ...(r.metadata ? { metadata: r.metadata } : {}),
        }));
        await call('/vectors/upsert', { namespace, vectors });
      }
    },
    async query(namespace, vector, topK): Promise<VectorMatch[]> {
      // A namespace that was never written answers 404 on newer API versions: no matches.
      const result = await call<{ matches?: Array<{ id: string; score?: number; metadata?: VectorMatch['metadata'] }> }>(
        '/query',
        { namespace, vector, topK, includeMetadata: true, includeValues: false },
        true,
      );
      return (result?.matches ?? []).map((m) => ({
        id: m.id,
        score: m.score ?? 0,
        ...(m.metadata ? { metadata: m.metadata } : {}),
      }));
    },
    async deleteIds(namespace, ids) {
      for (let i = 0; i < ids.length; i += DELETE_BATCH) {
        await call('/vectors/delete', { namespace, ids: ids.slice(i, i + DELETE_BATCH) }, true);
      }
    },
    async deleteNamespace(namespace) {
      // Idempotent: deleting a namespace that is already gone (404) is success.
      await call('/vectors/delete', { namespace, deleteAll: true }, true);
    },
    async ping() {
      await call('/describe_index_stats', {});
    },
  };
}
