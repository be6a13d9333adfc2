import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { chunks, documents } from '../../../db/schema';
import type { Services, VectorMatch } from '../../ports';
import { inOrg } from '../../lib/tenancy';
import { isStopWord, normalizeTokens } from '../embeddings/builtin';
import { namespaceFor, parseVectorId } from './namespace';

export type Retriever = 'vector' | 'fulltext';

export interface SearchHit {
  chunkId: string;
  documentId: string;
  documentName: string;
  knowledgeBaseId: string;
  position: number;
  content: string;
  location: { page?: number; headings?: string[]; url?: string };
  /**
   * Reciprocal rank fusion score normalized to 0..1: the sum over retrievers of 1 / (60 + rank)
   * divided by the best sum possible in this mode (every active retriever ranking it first).
   * So in hybrid mode a chunk first in both lists scores 1, first in only one of them 0.5; in a
   * single mode the first hit scores 1. It orders hits; it is about ranks, not relevance.
   */
  score: number;
  /**
   * How relevant the chunk is on its own, 0..1: the better of the vector similarity and the
   * full-text match (1 when the chunk has every query word). `scoreThreshold` compares this, so
   * a threshold drops noise even when it ranks first.
   */
  relevance: number;
  /** Which retrievers returned this chunk among their candidates. */
  retrievers: Retriever[];
  /** Cosine similarity of the query and chunk embeddings (-1..1). */
  vectorScore?: number;
  /** ts_rank of the chunk for the query's words, mapped to 0..1 (rank / (rank + 1)); +1 when it has every word. */
  fulltextScore?: number;
  /** Where to link: the chunk's own URL (with anchor) or its document's source URL. */
  sourceUrl?: string | null;
}

export interface SearchInput {
  organizationId: string;
  knowledgeBases: Array<{ id: string; embeddingModel: string }>;
  query: string;
  topK: number;
  /** Minimum relevance (0..1, see SearchHit.relevance); 0 or absent keeps everything. */
  scoreThreshold?: number;
  mode: 'hybrid' | 'vector' | 'fulltext';
}

export type SearchServices = Pick<Services, 'db' | 'vectors' | 'embeddings'>;

/** RRF's k: ranks beyond the first few matter little, and no retriever's raw scale leaks in. */
export const RRF_K = 60;
/** Longest query text sent to the embedder and to full-text search. */
const MAX_QUERY_CHARS = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Candidates each retriever contributes before fusion: enough depth for fusion to reorder. */
export function candidateCount(topK: number): number {
  return Math.min(Math.max(topK * 4, 20), 200);
}

interface ChunkRow {
  chunkId: string;
  documentId: string;
  documentName: string;
  knowledgeBaseId: string;
  position: number;
  content: string;
  location: SearchHit['location'];
  documentSourceUrl: string | null;
}

const chunkColumns = {
  chunkId: chunks.id,
  documentId: chunks.documentId,
  documentName: documents.name,
  knowledgeBaseId: chunks.knowledgeBaseId,
  position: chunks.position,
  content: chunks.content,
  location: chunks.location,
  documentSourceUrl: documents.sourceUrl,
};

/**
 * The one filter both retrievers apply: this organization's chunks, in the requested knowledge
 * bases, of documents that are `ready`. A document being (re)processed or failed is never
 * searchable, and an id a vector store returns from another tenant matches nothing here.
 */
function searchable(organizationId: string, knowledgeBaseIds: string[], ...conditions: SQL[]): SQL {
  return and(
    inOrg(chunks, organizationId, inArray(chunks.knowledgeBaseId, knowledgeBaseIds), ...conditions),
    inOrg(documents, organizationId, eq(documents.status, 'ready')),
  ) as SQL;
}

async function vectorCandidates(
  services: SearchServices,
  input: SearchInput,
  limit: number,
): Promise<Array<{ row: ChunkRow; score: number }>> {
  // One embedding per model, however many knowledge bases share it.
  const byModel = new Map<string, string[]>();
  for (const kb of input.knowledgeBases) byModel.set(kb.embeddingModel, [...(byModel.get(kb.embeddingModel) ?? []), kb.id]);
  const matches: Array<VectorMatch & { knowledgeBaseId: string }> = [];
  for (const [model, kbIds] of byModel) {
    const [vector] = await services.embeddings.get(model).embed([input.query]);
    if (!vector || vector.every((v) => v === 0)) continue;
    for (const kbId of kbIds) {
      for (const match of await services.vectors.query(namespaceFor(kbId), vector, limit)) {
        matches.push({ ...match, knowledgeBaseId: kbId });
      }
    }
  }
  matches.sort((a, b) => b.score - a.score);

  const wanted = new Map<string, { kb: string; documentId: string; position: number; score: number }>();
  for (const match of matches) {
    const parsed = parseVectorId(match.id);
    if (!parsed || !UUID.test(parsed.documentId)) continue;
    const key = `${match.knowledgeBaseId}/${match.id}`;
    if (!wanted.has(key)) wanted.set(key, { kb: match.knowledgeBaseId, ...parsed, score: match.score });
    if (wanted.size >= limit) break;
  }
  if (wanted.size === 0) return [];

  const tuples = [...wanted.values()].map((w) => sql`(${w.kb}::uuid, ${w.documentId}::uuid, ${w.position}::int)`);
  const rows: ChunkRow[] = await services.db
    .select(chunkColumns)
    .from(chunks)
    .innerJoin(documents, eq(documents.id, chunks.documentId))
    .where(
      searchable(
        input.organizationId,
        input.knowledgeBases.map((kb) => kb.id),
        // The chunk must sit in the knowledge base whose namespace returned it.
        sql`(${chunks.knowledgeBaseId}, ${chunks.documentId}, ${chunks.position}) IN (${sql.join(tuples, sql`, `)})`,
      ),
    );
  const byKey = new Map(rows.map((r) => [`${r.knowledgeBaseId}/${r.documentId}#${r.position}`, r]));
  const out: Array<{ row: ChunkRow; score: number }> = [];
  for (const [key, w] of wanted) {
    const row = byKey.get(key);
    if (row) out.push({ row, score: w.score });
  }
  return out;
}

/** Words of the query that take part in full-text matching; more would only add noise. */
const MAX_QUERY_WORDS = 8;

/**
 * Content words of the query: letters/digits with inner hyphens (no other tsquery syntax), no
 * stop words. Hyphenated codes stay whole because Postgres indexes "E-1505" as 'e-1505', 'e' and
 * '-1505': the bare "1505" would never match it.
 */
export function queryWords(query: string): string[] {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? []).filter((word) => {
    const normalized = normalizeTokens(word).join('-');
    // Stop words of either language would make a match hit nearly every chunk.
    return normalized.length > 1 && !isStopWord(normalized);
  });
  // Longer words and codes are usually rarer, so they are the ones worth keeping.
  return [...new Set(words)]
    .map((word, index) => ({ word, index, weight: word.length + (/\d/.test(word) ? 10 : 0) }))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .slice(0, MAX_QUERY_WORDS)
    .sort((a, b) => a.index - b.index)
    .map((w) => w.word);
}

/** Rows the full-text side may rank per query: ts_rank reads each matching tsvector. */
const FULLTEXT_ROW_BUDGET = 500;

export interface FulltextPlan {
  /** Which chunks are candidates (a tsquery). */
  match: string;
  /** Every query word (bonus when a chunk has them all). */
  all: string;
  /** Any query word (what ts_rank scores). */
  any: string;
}

/**
 * Full-text side. Every chunk's `search_vector` holds Spanish and English stems, and each query
 * word becomes `(spanish stem | english form)` (Postgres's own parsers, so lexemes match the
 * stored ones): "facturas" finds "factura", "shipping" finds "shipped".
 *
 * Which chunks are candidates: requiring every word finds nothing for natural questions
 * ("¿cuánto tarda el envío a Canarias?" — the answer never says "cuánto"), so a chunk qualifies
 * with any *selective* word, or with all of them. A word is selective unless Postgres's column
 * statistics (pg_stats.most_common_elems, gathered by ANALYZE) say it is in so many chunks that
 * ranking them all would exceed FULLTEXT_ROW_BUDGET; common words still count in the ranking.
 * If every word is common, chunks need the rarest word and one more. Without statistics (a table
 * never analyzed) every word counts as selective. Ranking: all words present first, then
 * ts_rank over all the query's words (frequency-based; cover density cost as much and ranked the labeled set slightly worse).
 */
export async function fulltextPlan(db: SearchServices['db'], input: SearchInput): Promise<FulltextPlan | null> {
  const words = queryWords(input.query);
  if (words.length === 0) return null;
  const result = await db.execute(sql`
    WITH stats AS (
      SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs,
             greatest(c.reltuples, 0) AS total
      FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relkind = 'r'
        AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = s.schemaname)
      WHERE s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'search_vector'
      LIMIT 1
    ), q AS (
      SELECT n, websearch_to_tsquery('spanish', w)::text AS es, websearch_to_tsquery('english', w)::text AS en
      FROM unnest(${sql.param(words)}::text[]) WITH ORDINALITY AS t(w, n)
    )
    SELECT q.es, q.en,
      (SELECT stats.total * coalesce(max(stats.freqs[array_position(stats.elems, btrim(x, chr(39)))]), 0)
         FROM unnest(ARRAY[q.es, q.en]) AS x) AS estimate
    FROM q LEFT JOIN stats ON true
    ORDER BY q.n`);
  const rows = (result as unknown as { rows: Array<{ es: string; en: string; estimate: number | null }> }).rows;
  const byGroup = new Map<string, number>();
  for (const { es, en, estimate } of rows) {
    const lexemes = [...new Set([es, en].filter(Boolean))];
    if (lexemes.length === 0) continue;
    const group = `(${lexemes.map((q) => `(${q})`).join(' | ')})`;
    byGroup.set(group, Math.max(byGroup.get(group) ?? 0, Number(estimate ?? 0)));
  }
  if (byGroup.size === 0) return null;
  const groups = [...byGroup.keys()];
  const rarestFirst = [...byGroup.entries()].sort((a, b) => a[1] - b[1]);
  const selective: string[] = [];
  let rowsToRank = 0;
  for (const [group, estimate] of rarestFirst) {
    if (rowsToRank + estimate > FULLTEXT_ROW_BUDGET) break;
    selective.push(group);
    rowsToRank += estimate;
  }
  const all = groups.join(' & ');
  const [rarest, ...others] = rarestFirst.map(([g]) => g);
  // Every word is common: chunks with the rarest word and at least one other one.
  const match =
    selective.length > 0
      ? `${selective.join(' | ')} | (${all})`
      : others.length > 0
        ? `(${rarest} & (${others.join(' | ')}))`
        : rarest;
  return { match, all, any: groups.join(' | ') };
}

/** The full-text query for a plan; exported (not run) so the benchmark can EXPLAIN it. */
export function fulltextQuery(db: SearchServices['db'], input: SearchInput, plan: FulltextPlan, limit: number) {
  const score = sql<number>`((${chunks.searchVector} @@ ${plan.all}::tsquery)::int + ts_rank(${chunks.searchVector}, ${plan.any}::tsquery, 32))`.as(
    'fulltext_score',
  );
  return db
    .select({ ...chunkColumns, score })
    .from(chunks)
    .innerJoin(documents, eq(documents.id, chunks.documentId))
    .where(searchable(input.organizationId, input.knowledgeBases.map((kb) => kb.id), sql`${chunks.searchVector} @@ ${plan.match}::tsquery`))
    .orderBy(sql`fulltext_score DESC`)
    .limit(limit);
}

async function fulltextCandidates(
  services: SearchServices,
  input: SearchInput,
  limit: number,
): Promise<Array<{ row: ChunkRow; score: number }>> {
  const plan = await fulltextPlan(services.db, input);
  if (!plan) return [];
  const rows = await fulltextQuery(services.db, input, plan, limit);
  return rows.map(({ score, ...row }) => ({ row, score: Number(score) }));
}

/**
 * Hybrid retrieval over one or more knowledge bases of one organization: vector search and
 * Postgres full-text search, each returning `candidateCount(topK)` chunks, fused with
 * reciprocal rank fusion (see SearchHit.score), filtered by relevance (`scoreThreshold`), cut to `topK`.
 */
export async function searchKnowledge(services: SearchServices, input: SearchInput): Promise<SearchHit[]> {
  const query = input.query.trim().slice(0, MAX_QUERY_CHARS);
  const topK = Math.floor(input.topK);
  if (!query || topK <= 0 || input.knowledgeBases.length === 0) return [];
  const normalized = { ...input, query };
  const limit = candidateCount(topK);

  const useVector = input.mode !== 'fulltext';
  const useFulltext = input.mode !== 'vector';
  // PGlite serializes queries anyway; on Neon the two sides overlap.
  const [vectorList, fulltextList] = await Promise.all([
    useVector ? vectorCandidates(services, normalized, limit) : [],
    useFulltext ? fulltextCandidates(services, normalized, limit) : [],
  ]);

  const fused = new Map<string, { row: ChunkRow; rrf: number; hit: Partial<SearchHit> & { retrievers: Retriever[] } }>();
  const addList = (list: Array<{ row: ChunkRow; score: number }>, retriever: Retriever) => {
    list.forEach(({ row, score }, index) => {
      let entry = fused.get(row.chunkId);
      if (!entry) {
        entry = { row, rrf: 0, hit: { retrievers: [] } };
        fused.set(row.chunkId, entry);
      }
      entry.rrf += 1 / (RRF_K + index + 1);
      entry.hit.retrievers.push(retriever);
      if (retriever === 'vector') entry.hit.vectorScore = score;
      else entry.hit.fulltextScore = score;
    });
  };
  addList(vectorList, 'vector');
  addList(fulltextList, 'fulltext');

  const best = ((useVector ? 1 : 0) + (useFulltext ? 1 : 0)) / (RRF_K + 1);
  const threshold = input.scoreThreshold ?? 0;
  return [...fused.values()]
    .map(({ row, rrf, hit }): SearchHit => ({
      chunkId: row.chunkId,
      documentId: row.documentId,
      documentName: row.documentName,
      knowledgeBaseId: row.knowledgeBaseId,
      position: row.position,
      content: row.content,
      location: row.location ?? {},
      score: Math.min(1, rrf / best),
      relevance: Math.round(Math.max(0, Math.min(1, Math.max(hit.vectorScore ?? 0, hit.fulltextScore ?? 0))) * 1000) / 1000,
      retrievers: hit.retrievers,
      ...(hit.vectorScore === undefined ? {} : { vectorScore: hit.vectorScore }),
      ...(hit.fulltextScore === undefined ? {} : { fulltextScore: hit.fulltextScore }),
      sourceUrl: row.location?.url ?? row.documentSourceUrl ?? null,
    }))
    .filter((hit) => hit.relevance >= threshold)
    .sort((a, b) => b.score - a.score || (b.vectorScore ?? -2) - (a.vectorScore ?? -2) || (a.chunkId < b.chunkId ? -1 : 1))
    .slice(0, topK);
}
