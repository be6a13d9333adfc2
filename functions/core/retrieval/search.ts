import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { chunks, documents } from '../../../db/schema';
import type { Services } from '../../ports';
import { inOrg } from '../../lib/tenancy';
import { isStopWord, normalizeTokens } from '../embeddings/builtin';
import { namespaceFor, parseVectorId } from './namespace';
import { rowsOf } from '../../lib/sql';

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

/** The columns of a ChunkRow, for the raw statements below (which alias chunks and documents by table name). */
const chunkRowColumns = sql`${chunks.id} AS "chunkId", ${chunks.documentId} AS "documentId", ${documents.name} AS "documentName",
  ${chunks.knowledgeBaseId} AS "knowledgeBaseId", ${chunks.position} AS "position", ${chunks.content} AS "content",
  ${chunks.location} AS "location", ${documents.sourceUrl} AS "documentSourceUrl"`;

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

type Candidate = { row: ChunkRow; score: number };

/** A chunk a vector store returned: which knowledge base's namespace, which chunk, how similar. */
interface VectorHit {
  kb: string;
  documentId: string;
  position: number;
  score: number;
}

const hitKey = (kb: string, documentId: string, position: number) => `${kb}/${documentId}#${position}`;

/**
 * The vector store's side: one query embedding per model, however many knowledge bases share it,
 * and the best `limit` distinct chunk ids across their namespaces. No database statement: on the
 * edge this is the embedding API plus Pinecone, and it runs while the full-text statement does.
 */
async function vectorHits(services: SearchServices, input: SearchInput, limit: number): Promise<VectorHit[]> {
  const byModel = new Map<string, string[]>();
  for (const kb of input.knowledgeBases) byModel.set(kb.embeddingModel, [...(byModel.get(kb.embeddingModel) ?? []), kb.id]);
  const matches: Array<{ id: string; score: number; kb: string }> = [];
  for (const [model, kbIds] of byModel) {
    const [vector] = await services.embeddings.get(model).embed([input.query]);
    if (!vector || vector.every((v) => v === 0)) continue;
    const perKb = await Promise.all(kbIds.map((kbId) => services.vectors.query(namespaceFor(kbId), vector, limit)));
    perKb.forEach((list, i) => {
      for (const match of list) matches.push({ id: match.id, score: match.score, kb: kbIds[i] });
    });
  }
  matches.sort((a, b) => b.score - a.score);

  const wanted = new Map<string, VectorHit>();
  for (const match of matches) {
    const parsed = parseVectorId(match.id);
    if (!parsed || !UUID.test(parsed.documentId)) continue;
    const key = hitKey(match.kb, parsed.documentId, parsed.position);
    if (!wanted.has(key)) wanted.set(key, { kb: match.kb, ...parsed, score: match.score });
    if (wanted.size >= limit) break;
  }
  return [...wanted.values()];
}

/**
 * The rows of the vector hits, in the vector store's order, keeping only searchable ones (see
 * `searchable`: a chunk must also sit in the knowledge base whose namespace returned it). Rows the
 * full-text side already loaded are reused; the rest come in one statement, none when all are known.
 */
async function vectorCandidates(db: SearchServices['db'], input: SearchInput, hits: VectorHit[], known: Candidate[]): Promise<Candidate[]> {
  if (hits.length === 0) return [];
  const byKey = new Map(known.map(({ row }) => [hitKey(row.knowledgeBaseId, row.documentId, row.position), row]));
  const missing = hits.filter((h) => !byKey.has(hitKey(h.kb, h.documentId, h.position)));
  if (missing.length > 0) {
    const rows = await rowsOf<ChunkRow>(db, vectorRowsSelect(input, missing));
    for (const row of rows) byKey.set(hitKey(row.knowledgeBaseId, row.documentId, row.position), row);
  }
  const out: Candidate[] = [];
  for (const hit of hits) {
    const row = byKey.get(hitKey(hit.kb, hit.documentId, hit.position));
    if (row) out.push({ row, score: hit.score });
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
 * Full-text side, planned inside the statement that runs it (CTEs, no round trip of its own).
 * Every chunk's `search_vector` holds Spanish and English stems, and each query word becomes
 * `(spanish stem | english form)` (Postgres's own parsers, so lexemes match the stored ones):
 * "facturas" finds "factura", "shipping" finds "shipped".
 *
 * Which chunks are candidates: requiring every word finds nothing for natural questions
 * ("¿cuánto tarda el envío a Canarias?" — the answer never says "cuánto"), so a chunk qualifies
 * with any *selective* word, or with all of them. A word is selective unless Postgres's column
 * statistics (pg_stats.most_common_elems, gathered by ANALYZE) say it is in so many chunks that
 * ranking them all would exceed FULLTEXT_ROW_BUDGET; common words still count in the ranking.
 * Words are taken rarest first (ties in query order) while the running total of their estimates
 * stays within the budget. If every word is common, chunks need the rarest word and one more.
 * Without statistics (a table never analyzed) every word counts as selective. Ranking: all words
 * present first, then ts_rank over all the query's words (frequency-based; cover density cost as
 * much and ranked the labeled set slightly worse).
 *
 * The CTEs end in `plan(match_q, all_q, any_q)`: one row of tsquery texts, or NULLs when no
 * word has a lexeme (stop words of Postgres's dictionaries), which then match nothing.
 */
function planCtes(words: string[]): SQL {
  return sql`
    stats AS MATERIALIZED (
      -- The column's most common lexemes with their frequencies; no row without statistics.
      SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs,
             greatest(c.reltuples, 0) AS total
      FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relkind = 'r'
        AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = s.schemaname)
      WHERE s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'search_vector'
      LIMIT 1
    ), stems AS (
      SELECT n, websearch_to_tsquery('spanish', w)::text AS es, websearch_to_tsquery('english', w)::text AS en
      FROM unnest(${sql.param(words)}::text[]) WITH ORDINALITY AS t(w, n)
    ), groups AS (
      -- A word's group: its distinct non-empty lexemes, "((spanish) | (english))"; NULL when it has none.
      -- Its estimate: chunks holding the commoner of them (0 when neither is a common lexeme).
      SELECT grp, min(n) AS n, max(estimate) AS estimate
      FROM (
        SELECT n,
          '(' || CASE WHEN es <> '' AND en <> '' AND es <> en THEN '(' || es || ') | (' || en || ')'
                      WHEN es <> '' THEN '(' || es || ')'
                      WHEN en <> '' THEN '(' || en || ')' END || ')' AS grp,
          coalesce(greatest(stats.freqs[array_position(stats.elems, btrim(es, chr(39)))],
                            stats.freqs[array_position(stats.elems, btrim(en, chr(39)))]) * stats.total, 0) AS estimate
        FROM stems LEFT JOIN stats ON true
      ) word
      WHERE grp IS NOT NULL
      GROUP BY grp
    ), ranked AS (
      -- Rarest first (ties in query order), with the rows ranking them all would take so far.
      SELECT grp, n, row_number() OVER rarest_first AS rarity, sum(estimate) OVER rarest_first AS rows_to_rank
      FROM groups
      WINDOW rarest_first AS (ORDER BY estimate, n ROWS UNBOUNDED PRECEDING)
    ), plan AS (
      SELECT all_q, any_q,
        CASE WHEN selective IS NOT NULL THEN selective || ' | (' || all_q || ')'
             -- Every word is common: chunks with the rarest word and at least one other one.
             WHEN others IS NOT NULL THEN '(' || rarest || ' & (' || others || '))'
             ELSE rarest END AS match_q
      FROM (
        SELECT string_agg(grp, ' & ' ORDER BY n) AS all_q,
               string_agg(grp, ' | ' ORDER BY n) AS any_q,
               string_agg(grp, ' | ' ORDER BY rarity) FILTER (WHERE rows_to_rank <= ${sql.raw(String(FULLTEXT_ROW_BUDGET))}) AS selective,
               min(grp) FILTER (WHERE rarity = 1) AS rarest,
               string_agg(grp, ' | ' ORDER BY rarity) FILTER (WHERE rarity > 1) AS others
        FROM ranked
      ) parts
    )`;
}

/** The full-text plan of a query on its own; not used by search (which plans in its statement), kept for the benchmark's diagnostics. */
export async function fulltextPlan(db: SearchServices['db'], input: SearchInput): Promise<FulltextPlan | null> {
  const words = queryWords(input.query);
  if (words.length === 0) return null;
  const [plan] = await rowsOf<{ match: string | null; all: string | null; any: string | null }>(
    db,
    sql`WITH ${planCtes(words)} SELECT match_q AS "match", all_q AS "all", any_q AS "any" FROM plan`,
  );
  return plan?.match && plan.all && plan.any ? { match: plan.match, all: plan.all, any: plan.any } : null;
}

/**
 * The full-text side as one statement: plan (see planCtes), candidates through the GIN index,
 * scores, and the chunk rows, best `limit` first; null when the query has no content words.
 * Exported (not run) so the benchmark can EXPLAIN it.
 *
 * Candidates must come through the GIN index: a sequential scan decompresses and tests every
 * chunk's tsvector, a cost the planner does not see, and it chose one for a 10k-chunk knowledge
 * base whose index had a long pending list (PGlite runs no autovacuum to flush it), where it took
 * most of a search's time. So the match tsquery is a sub-select result rather than a constant (the
 * planner then assumes the default, low selectivity) and is cast outside it (the cast counts
 * against every row of a sequential scan, while an index scan evaluates it once).
 */
export function fulltextStatement(input: SearchInput, limit: number): SQL | null {
  const words = queryWords(input.query);
  if (words.length === 0) return null;
  return sql`WITH ${planCtes(words)} ${fulltextSelect(input, limit)}`;
}

/** The full-text candidates' SELECT; it reads the `plan` CTE (see planCtes). */
function fulltextSelect(input: SearchInput, limit: number): SQL {
  // The index condition is evaluated once per scan, so its cast may sit outside the sub-select,
  // where the planner counts it for every row a sequential scan would test (see above). The
  // scores' tsqueries are cast inside theirs: they are evaluated per candidate row.
  const match = sql`(SELECT match_q FROM plan)::tsquery`;
  const all = sql`(SELECT all_q::tsquery FROM plan)`;
  const any = sql`(SELECT any_q::tsquery FROM plan)`;
  return sql`
    SELECT ${chunkRowColumns},
      ((${chunks.searchVector} @@ ${all})::int + ts_rank(${chunks.searchVector}, ${any}, 32)) AS "score"
    FROM ${chunks} JOIN ${documents} ON ${documents.id} = ${chunks.documentId}
    WHERE ${searchable(input.organizationId, input.knowledgeBases.map((kb) => kb.id), sql`${chunks.searchVector} @@ ${match}`)}
    ORDER BY "score" DESC
    LIMIT ${limit}`;
}

/** The rows of vector hits (searchable ones only), as a SELECT with the full-text side's columns. */
function vectorRowsSelect(input: SearchInput, hits: VectorHit[]): SQL {
  return sql`
    SELECT ${chunkRowColumns}
    FROM unnest(${sql.param(hits.map((h) => h.kb))}::uuid[], ${sql.param(hits.map((h) => h.documentId))}::uuid[],
                ${sql.param(hits.map((h) => h.position))}::int[]) AS hit(kb, document_id, position)
    JOIN ${chunks} ON ${chunks.documentId} = hit.document_id AND ${chunks.position} = hit.position AND ${chunks.knowledgeBaseId} = hit.kb
    JOIN ${documents} ON ${documents.id} = ${chunks.documentId}
    WHERE ${searchable(input.organizationId, input.knowledgeBases.map((kb) => kb.id))}`;
}

/**
 * When vectors live in the same database (the local pgvector store), the vector hits are known
 * before any SQL of ours runs (PGlite runs statements one at a time, so nothing could overlap
 * anyway): the full-text side and the hits' rows then come back in one statement.
 */
async function fulltextWithVectorRows(db: SearchServices['db'], input: SearchInput, limit: number, hits: VectorHit[], useFulltext: boolean) {
  const words = useFulltext ? queryWords(input.query) : [];
  if (words.length === 0 && hits.length === 0) return { fulltext: [] as Candidate[], vectorRows: [] as ChunkRow[] };
  const statement =
    words.length === 0
      ? sql`SELECT v.*, NULL::float8 AS "score", 'v' AS "kind" FROM (${vectorRowsSelect(input, hits)}) v`
      : hits.length === 0
        ? sql`WITH ${planCtes(words)}, ft AS (${fulltextSelect(input, limit)}) SELECT ft.*, 'f' AS "kind" FROM ft`
        : sql`WITH ${planCtes(words)}, ft AS (${fulltextSelect(input, limit)})
            SELECT ft.*, 'f' AS "kind" FROM ft
            UNION ALL
            SELECT v.*, NULL::float8, 'v' FROM (${vectorRowsSelect(input, hits)}) v`;
  const rows = await rowsOf<ChunkRow & { score: number | null; kind: 'f' | 'v' }>(db, statement);
  const fulltext: Candidate[] = [];
  const vectorRows: ChunkRow[] = [];
  for (const { score, kind, ...row } of rows) {
    if (kind === 'f') fulltext.push({ row, score: Number(score) });
    else vectorRows.push(row);
  }
  // Best first, as the full-text statement alone returns them (the sort is stable for ties).
  fulltext.sort((a, b) => b.score - a.score);
  return { fulltext, vectorRows };
}

async function fulltextCandidates(db: SearchServices['db'], input: SearchInput, limit: number): Promise<Candidate[]> {
  const statement = fulltextStatement(input, limit);
  if (!statement) return [];
  const rows = await rowsOf<ChunkRow & { score: number }>(db, statement);
  return rows.map(({ score, ...row }) => ({ row, score: Number(score) }));
}

/**
 * Hybrid retrieval over one or more knowledge bases of one organization: vector search and
 * Postgres full-text search, each returning `candidateCount(topK)` chunks, fused with
 * reciprocal rank fusion (see SearchHit.score), filtered by relevance (`scoreThreshold`), cut to `topK`.
 *
 * Besides the vector store's own query: on the edge, the full-text side (planned, matched,
 * ranked and its rows loaded in one statement) runs while the embedding API and Pinecone answer,
 * then one statement loads the vector hits' rows the full-text side did not return (none when it
 * returned them all). Locally (pgvector in the same database, `vectors.colocated`), the vector
 * query runs first and one statement returns both the full-text side and the hits' rows.
 */
export async function searchKnowledge(services: SearchServices, input: SearchInput): Promise<SearchHit[]> {
  const query = input.query.trim().slice(0, MAX_QUERY_CHARS);
  const topK = Math.floor(input.topK);
  if (!query || topK <= 0 || input.knowledgeBases.length === 0) return [];
  const normalized = { ...input, query };
  const limit = candidateCount(topK);

  const useVector = input.mode !== 'fulltext';
  const useFulltext = input.mode !== 'vector';
  let fulltextList: Candidate[];
  let vectorList: Candidate[];
  if (services.vectors.colocated) {
    const hits = useVector ? await vectorHits(services, normalized, limit) : [];
    const both = await fulltextWithVectorRows(services.db, normalized, limit, hits, useFulltext);
    fulltextList = both.fulltext;
    vectorList = await vectorCandidates(services.db, normalized, hits, both.vectorRows.map((row) => ({ row, score: 0 })));
  } else {
    const [hits, fulltext] = await Promise.all([
      useVector ? vectorHits(services, normalized, limit) : [],
      useFulltext ? fulltextCandidates(services.db, normalized, limit) : [],
    ]);
    fulltextList = fulltext;
    vectorList = await vectorCandidates(services.db, normalized, hits, fulltextList);
  }

  const fused = new Map<string, { row: ChunkRow; rrf: number; hit: Partial<SearchHit> & { retrievers: Retriever[] } }>();
  const addList = (list: Candidate[], retriever: Retriever) => {
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
