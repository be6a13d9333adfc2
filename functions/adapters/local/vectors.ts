import { sql } from 'drizzle-orm';
import type { Database, VectorMatch, VectorRecord, VectorStore } from '../../ports';
import { queryRows } from './database';

const BATCH = 500;

function toVectorLiteral(values: number[]): string {
  if (values.length === 0) throw new Error('vector must not be empty');
  for (const v of values) if (!Number.isFinite(v)) throw new Error('vector values must be finite numbers');
  return `[${values.join(',')}]`;
}

/** pgvector store on `local_vectors`; one namespace per knowledge base, like Pinecone. */
export function createPgVectorStore(db: Database): VectorStore {
  return {
    async upsert(namespace, records) {
      // Last record wins for a repeated id, as in Pinecone; Postgres would refuse the batch.
      const unique = [...new Map(records.map((r): [string, VectorRecord] => [r.id, r])).values()];
      for (let i = 0; i < unique.length; i += BATCH) {
        const rows = unique.slice(i, i + BATCH).map(
          (r) =>
            sql`(${namespace}, ${r.id}, ${toVectorLiteral(r.values)}::vector, ${
              r.metadata ? JSON.stringify(r.metadata) : null
            }::jsonb)`,
        );
        await db.execute(sql`
          INSERT INTO local_vectors (namespace, id, embedding, metadata)
          VALUES ${sql.join(rows, sql`, `)}
          ON CONFLICT (namespace, id) DO UPDATE
            SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata`);
      }
    },

    async query(namespace, vector, topK) {
      if (topK <= 0) return [];
      const literal = toVectorLiteral(vector);
      // Vectors of another dimension (an older embedding model) cannot be compared, so skip them.
      const rows = await queryRows<{ id: string; score: number; metadata: VectorMatch['metadata'] | null }>(
        db,
        sql`
          SELECT id, metadata, 1 - (embedding <=> ${literal}::vector) AS score
          FROM local_vectors
          WHERE namespace = ${namespace} AND vector_dims(embedding) = ${vector.length}
          ORDER BY embedding <=> ${literal}::vector
          LIMIT ${Math.floor(topK)}`,
      );
      // A zero vector has no direction: cosine distance is NaN and ranks nothing.
      return rows
        .filter((r) => Number.isFinite(Number(r.score)))
        .map((r) => ({ id: r.id, score: Number(r.score), ...(r.metadata ? { metadata: r.metadata } : {}) }));
    },

    async deleteIds(namespace, ids) {
      if (ids.length === 0) return;
      await db.execute(
        sql`DELETE FROM local_vectors WHERE namespace = ${namespace} AND id = ANY(${sql.param(ids)}::text[])`,
      );
    },

    async deleteNamespace(namespace) {
      await db.execute(sql`DELETE FROM local_vectors WHERE namespace = ${namespace}`);
    },

    async ping() {
      await db.execute(sql`SELECT 1 FROM local_vectors LIMIT 1`);
    },
  };
}
