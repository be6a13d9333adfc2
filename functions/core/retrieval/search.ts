import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { chunks, documents, knowledgeBaseTerms, knowledgeBaseTextStats } from '../../../db/schema';
import type { Services } from '../../ports';
import { inOrg } from '../../lib/tenancy';
import { isStopWord, normalizeTokens } from '../embeddings/builtin';
import { currentNamespace, parseVectorId } from './namespace';
import { fuseLists, fusionProfileFor, type FusionMethod, type FusionProfile } from './fusion';
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
   * The fused score, 0..1, that orders hits: the fusion profile of the knowledge bases' embedding
   * model (see fusion.ts) applied to both lists, divided by the best possible in this mode (so in
   * a single mode the first hit scores 1). `why` gives each list's part.
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
  /**
   * BM25 of the chunk for the query's words divided by the query's ideal score (each word once in
   * a chunk of average length): about 1 when the chunk has every word, above 1 when it repeats rare ones.
   */
  fulltextScore?: number;
  /** Why this rank: each retriever's rank and its part of the fused score. */
  why?: { method: FusionMethod; fulltextRank?: number; vectorRank?: number; fulltextPart: number; vectorPart: number };
  /** Where to link: the chunk's own URL (with anchor) or its document's source URL. */
  sourceUrl?: string | null;
}

export interface SearchedKnowledgeBase {
  id: string;
  embeddingModel: string;
  vectorGeneration: number;
}

export interface SearchInput {
  organizationId: string;
  /** `vectorGeneration` says which namespace holds the model's vectors (see namespace.ts). */
  knowledgeBases: SearchedKnowledgeBase[];
  query: string;
  topK: number;
  /** Minimum relevance (0..1, see SearchHit.relevance); 0 or absent keeps everything. */
  scoreThreshold?: number;
  mode: 'hybrid' | 'vector' | 'fulltext';
  /** Overrides the fusion profile of the embedding model (the benchmark compares profiles). */
  fusion?: FusionProfile;
}

export type SearchServices = Pick<Services, 'db' | 'vectors' | 'embeddings'>;

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
  const byModel = new Map<string, SearchedKnowledgeBase[]>();
  for (const kb of input.knowledgeBases) byModel.set(kb.embeddingModel, [...(byModel.get(kb.embeddingModel) ?? []), kb]);
  const matches: Array<{ id: string; score: number; kb: string }> = [];
  for (const [model, kbs] of byModel) {
    const [vector] = await services.embeddings.get(model).embed([input.query]);
    if (!vector || vector.every((v) => v === 0)) continue;
    const perKb = await Promise.all(kbs.map((kb) => services.vectors.query(currentNamespace(kb), vector, limit)));
    perKb.forEach((list, i) => {
      for (const match of list) matches.push({ id: match.id, score: match.score, kb: kbs[i].id });
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
const MAX_QUERY_WORDS = 10;

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

/**
 * Chunks the full-text side may score per query. Scoring reads each candidate's tsvector, so
 * words too common to fit are left out of *matching* (they still count in the score of the chunks
 * the rarer words bring in). 400 and 1,000 gave identical recall and MRR on the public sets of
 * bench:retrieval (2k and 10k chunks); the smaller bound caps the work per query.
 */
export const FULLTEXT_ROW_BUDGET = 400;
/** BM25's term-frequency saturation and length normalization (the usual Okapi values). */
const BM25_K1 = 1.2;
const BM25_B = 0.75;

/**
 * Full-text side, planned inside the statement that runs it (CTEs, no round trip of its own).
 * Every chunk's `search_vector` holds Spanish and English stems, so each query word becomes the
 * group of its Spanish and English lexemes (Postgres's own parsers, so they match the stored ones;
 * the Spanish stemmer also drops accents, and numbers and names are kept as written).
 *
 * Scoring is Okapi BM25 with the knowledge bases' own term statistics (`knowledge_base_terms`,
 * `knowledge_base_text_stats`, kept by triggers in the transaction that changes the chunks):
 * a word's weight is its IDF, so in "¿Qué premio le dieron a Corliss?" the rare "Corliss" counts
 * far more than "premio" or "dieron".
 *
 * Matching is OR of words, but only of words selective enough: words are taken rarest first
 * (exact document frequencies from the same statistics, no ANALYZE needed) while the chunks they
 * bring in stay within FULLTEXT_ROW_BUDGET; chunks holding every word always qualify. If every word
 * is common, a chunk needs the rarest word and one more.
 *
 * The CTEs end in `plan(match_q, ideal)`: the match tsquery text (NULL when no word occurs in the
 * knowledge bases: nothing matches) and the score a chunk would get with each word once at
 * average length (the sum of the words' IDFs), which maps scores to 0..1.
 */
function planCtes(input: SearchInput, words: string[]): SQL {
  const kbIds = input.knowledgeBases.map((kb) => kb.id);
  return sql`
    words AS (
      SELECT w, n FROM unnest(${sql.param(words)}::text[]) WITH ORDINALITY AS t(w, n)
    ), lexemes AS (
      -- A hyphenated code ("E-1505") also yields its parts ('e', '-1505'); only the whole one counts.
      SELECT DISTINCT n, lex FROM (
        SELECT n, w, lex, length(lex) AS len, max(length(lex)) OVER (PARTITION BY n, cfg) AS longest
        FROM words
        CROSS JOIN (VALUES ('spanish'::regconfig), ('english'::regconfig)) AS c(cfg)
        CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(cfg, w))) AS lex
      ) x
      WHERE position('-' in w) = 0 OR len = longest
    ), corpus AS MATERIALIZED (
      SELECT greatest(sum(chunk_count), 1)::float8 AS chunks,
             greatest(sum(total_length) / greatest(sum(chunk_count), 1), 1)::float8 AS avg_len
      FROM ${knowledgeBaseTextStats}
      WHERE ${knowledgeBaseTextStats.organizationId} = ${input.organizationId}
        AND ${knowledgeBaseTextStats.knowledgeBaseId} = ANY(${sql.param(kbIds)}::uuid[])
    ), terms AS MATERIALIZED (
      -- share: a word's lexemes split its weight, so a word counts once however many stems it has.
      SELECT l.n, l.lex, df.df, ln(1 + (corpus.chunks - df.df + 0.5) / (df.df + 0.5)) AS idf,
             1.0 / count(*) OVER (PARTITION BY l.n) AS share
      FROM lexemes l CROSS JOIN corpus
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(t.chunk_count), 0)::float8 AS df FROM ${knowledgeBaseTerms} t
        WHERE t.organization_id = ${input.organizationId} AND t.knowledge_base_id = ANY(${sql.param(kbIds)}::uuid[]) AND t.lexeme = l.lex
      ) df
      WHERE df.df > 0
    ), groups AS (
      SELECT n, max(df) AS df, sum(share * idf) AS idf, '(' || string_agg(quote_literal(lex), ' | ' ORDER BY lex) || ')' AS q
      FROM terms GROUP BY n
    ), ranked AS (
      -- Rarest first (ties in query order), with the chunks matching them all would bring in so far.
      SELECT n, q, idf, row_number() OVER rarest_first AS rarity, sum(df) OVER rarest_first AS rows_to_rank
      FROM groups
      WINDOW rarest_first AS (ORDER BY df, n ROWS UNBOUNDED PRECEDING)
    ), plan AS (
      SELECT ideal,
        CASE WHEN selective IS NOT NULL AND words > 1 THEN selective || ' | (' || every || ')'
             WHEN selective IS NOT NULL THEN selective
             WHEN others IS NOT NULL THEN '(' || rarest || ' & (' || others || '))'
             ELSE rarest END AS match_q
      FROM (
        SELECT count(*) AS words, coalesce(sum(idf), 0) AS ideal,
               string_agg(q, ' & ' ORDER BY n) AS every,
               string_agg(q, ' | ' ORDER BY rarity) FILTER (WHERE rows_to_rank <= ${sql.raw(String(FULLTEXT_ROW_BUDGET))}) AS selective,
               min(q) FILTER (WHERE rarity = 1) AS rarest,
               string_agg(q, ' | ' ORDER BY rarity) FILTER (WHERE rarity > 1) AS others
        FROM ranked
      ) parts
    )`;
}

/** The full-text plan of a query on its own; not used by search (which plans in its statement), kept for the benchmark's diagnostics. */
export async function fulltextPlan(db: SearchServices['db'], input: SearchInput): Promise<{ match: string; ideal: number } | null> {
  const words = queryWords(input.query);
  if (words.length === 0) return null;
  const [plan] = await rowsOf<{ match: string | null; ideal: number }>(
    db,
    sql`WITH ${planCtes(input, words)} SELECT match_q AS "match", ideal FROM plan`,
  );
  return plan?.match ? { match: plan.match, ideal: Number(plan.ideal) } : null;
}

/**
 * The full-text side as one statement: plan (see planCtes), candidates through the GIN index,
 * BM25 scores, and the chunk rows, best `limit` first; null when the query has no content words.
 * Exported (not run) so the benchmark can EXPLAIN it.
 *
 * Candidates must come through the GIN index: a sequential scan decompresses and tests every
 * chunk's tsvector, a cost the planner does not see. So the match tsquery is a sub-select result
 * rather than a constant (the planner then assumes the default, low selectivity) and is cast
 * outside it (the cast counts against every row of a sequential scan, while an index scan
 * evaluates it once).
 */
export function fulltextStatement(input: SearchInput, limit: number): SQL | null {
  const words = queryWords(input.query);
  if (words.length === 0) return null;
  return sql`WITH ${planCtes(input, words)} ${fulltextSelect(input, limit)}`;
}

/**
 * The full-text candidates' SELECT; it reads the `plan`, `terms` and `corpus` CTEs. The score is
 * BM25 over the query's words (a word's Spanish and English lexemes share its weight; one plain
 * aggregate per candidate, which costs half of a per-word GROUP BY), divided by `plan.ideal`, so 1 means
 * "every word once, at average length"; a chunk can pass 1 by repeating rare words.
 *
 * Each candidate's term frequencies come from its tsvector cut down to the query's lexemes before
 * it is unnested: `setweight(…, 'A', lexemes)` marks them and `ts_filter(…, '{a}')` keeps only
 * them (stored vectors carry the default weight D everywhere: `to_tsvector` assigns no other).
 * Unnesting the whole vector (about 30 lexemes a chunk) and joining it cost two thirds of the
 * statement; a few rows per candidate now reach the join.
 */
function fulltextSelect(input: SearchInput, limit: number): SQL {
  const match = sql`(SELECT match_q FROM plan)::tsquery`;
  // float8 literals: a bare 0.75 is numeric, and numeric arithmetic per candidate row is slow.
  const k1 = sql.raw(`${BM25_K1}::float8`);
  const b = sql.raw(`${BM25_B}::float8`);
  return sql`
    SELECT ${chunkRowColumns}, bm25.score / greatest((SELECT ideal FROM plan), 1e-9) AS "score"
    FROM ${chunks} JOIN ${documents} ON ${documents.id} = ${chunks.documentId}
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(terms.share * terms.idf * u.tf * (${k1} + 1)
               / (u.tf + ${k1} * (1 - ${b} + ${b} * length(${chunks.searchVector}) / (SELECT avg_len FROM corpus)))), 0)::float8 AS score
      FROM (SELECT lexeme, coalesce(array_length(positions, 1), 1) AS tf
            FROM unnest(ts_filter(setweight(${chunks.searchVector}, 'A', (SELECT array_agg(lex) FROM terms)), '{a}'))) u
      JOIN terms ON terms.lex = u.lexeme
    ) bm25
    WHERE ${searchable(input.organizationId, input.knowledgeBases.map((kb) => kb.id), sql`${chunks.searchVector} @@ ${match}`)}
    ORDER BY "score" DESC, ${chunks.id}
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
        ? sql`WITH ${planCtes(input, words)}, ft AS (${fulltextSelect(input, limit)}) SELECT ft.*, 'f' AS "kind" FROM ft`
        : sql`WITH ${planCtes(input, words)}, ft AS (${fulltextSelect(input, limit)})
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

  const profile = input.fusion ?? fusionProfileFor(input.knowledgeBases.map((kb) => kb.embeddingModel));
  const toRanked = (list: Candidate[]) => list.map(({ row, score }) => ({ key: row.chunkId, item: row, score }));
  const fused = fuseLists(toRanked(fulltextList), toRanked(vectorList), profile, { fulltext: useFulltext, vector: useVector });

  const threshold = input.scoreThreshold ?? 0;
  return fused
    .map(({ item: row, fused: score, ...why }): SearchHit => {
      const retrievers: Retriever[] = [];
      if (why.vectorRank !== undefined) retrievers.push('vector');
      if (why.fulltextRank !== undefined) retrievers.push('fulltext');
      const fulltextScore = why.fulltextScore === undefined ? undefined : round(why.fulltextScore);
      return {
        chunkId: row.chunkId,
        documentId: row.documentId,
        documentName: row.documentName,
        knowledgeBaseId: row.knowledgeBaseId,
        position: row.position,
        content: row.content,
        location: row.location ?? {},
        score: round(score),
        relevance: round(Math.max(0, Math.min(1, Math.max(why.vectorScore ?? 0, fulltextScore ?? 0)))),
        retrievers,
        ...(why.vectorScore === undefined ? {} : { vectorScore: why.vectorScore }),
        ...(fulltextScore === undefined ? {} : { fulltextScore }),
        why: {
          method: profile.method,
          ...(why.fulltextRank === undefined ? {} : { fulltextRank: why.fulltextRank }),
          ...(why.vectorRank === undefined ? {} : { vectorRank: why.vectorRank }),
          fulltextPart: round(why.fulltextPart),
          vectorPart: round(why.vectorPart),
        },
        sourceUrl: row.location?.url ?? row.documentSourceUrl ?? null,
      };
    })
    .filter((hit) => hit.relevance >= threshold)
    .slice(0, topK);
}

const round = (n: number) => Math.round(n * 10000) / 10000;

/** What fusion does for these knowledge bases, for the search tester's explanation. */
export function fusionFor(knowledgeBases: SearchInput['knowledgeBases']): FusionProfile {
  return fusionProfileFor(knowledgeBases.map((kb) => kb.embeddingModel));
}
