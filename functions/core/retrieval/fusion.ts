/**
 * How hybrid search merges its two ranked lists, per embedding model: a retriever counts as much
 * as it is good. The built-in embedder hashes words and character n-grams, so its list is a noisy
 * copy of what full text already finds (unrelated chunks sit near 0.3 cosine through hash
 * collisions); given an equal vote it pushed full-text hits out of the top 5 (43% of hybrid
 * misses on a public Spanish QA set). A semantic model finds paraphrases full text cannot, so
 * there the two lists vote as equals.
 */

export type FusionMethod = 'rrf' | 'convex';

export interface FusionProfile {
  /** Which kind of retriever the vectors are; the search tester explains the profile by it. */
  kind: 'lexical' | 'semantic' | 'custom';
  /**
   * `rrf`: weighted reciprocal rank fusion, sum of weight / (k + rank); ranks only.
   * `convex`: weighted sum of scores normalized per list (full text: score / best score;
   * vectors: min-max over the candidates), so a retriever's confidence, not just its order, counts.
   */
  method: FusionMethod;
  /** RRF's k (ignored by `convex`): larger flattens the difference between ranks. */
  k: number;
  fulltextWeight: number;
  vectorWeight: number;
  /** Why these numbers; shown in the search tester. */
  reason: string;
}

/** Models whose vectors are lexical (hashed n-grams): full text leads, vectors break ties and add near-misses. */
const LEXICAL: FusionProfile = {
  kind: 'lexical',
  method: 'convex',
  k: 60,
  fulltextWeight: 0.85,
  vectorWeight: 0.15,
  reason:
    'Built-in embedder (lexical, hashed n-grams): its vectors mostly repeat what full text finds, with collision noise, so full text (BM25) leads and vector similarity only reorders close full-text scores and adds spelling variants.',
};

/** Semantic models: both lists as equals, by rank (their score scales are unrelated). */
const SEMANTIC: FusionProfile = {
  kind: 'semantic',
  method: 'rrf',
  k: 60,
  fulltextWeight: 1,
  vectorWeight: 1,
  reason:
    'Semantic embedding model: vectors find paraphrases and synonyms that full text misses, while full text finds exact names, codes and numbers, so both lists vote as equals (reciprocal rank fusion, k = 60).',
};

export const FUSION_PROFILES: Record<string, FusionProfile> = {
  'builtin-hash-384': LEXICAL,
  'builtin-hash-v2-768': LEXICAL,
  'openai:text-embedding-3-small': SEMANTIC,
  'openai:text-embedding-3-large': SEMANTIC,
};

/**
 * The profile for a search over knowledge bases of these models: a model not in the table is a
 * built-in variant (lexical) when its id starts with `builtin-`, else semantic. Mixed models take
 * the profile that trusts vectors least, so a lexical knowledge base never drags full text down.
 */
export function fusionProfileFor(models: string[]): FusionProfile {
  const profiles = models.map((model) => FUSION_PROFILES[model] ?? (model.startsWith('builtin-') ? LEXICAL : SEMANTIC));
  if (profiles.length === 0) return LEXICAL;
  return profiles.reduce((least, p) => (p.vectorWeight / p.fulltextWeight < least.vectorWeight / least.fulltextWeight ? p : least));
}

export interface RankedItem<T> {
  key: string;
  item: T;
  /** The retriever's own score (BM25 normalized by the query's ideal score; cosine similarity). */
  score: number;
}

export interface FusedItem<T> {
  key: string;
  item: T;
  /** 0..1: the fused score divided by the best possible in this mode. */
  fused: number;
  fulltextRank?: number;
  vectorRank?: number;
  fulltextScore?: number;
  vectorScore?: number;
  /** Each list's contribution to `fused` before the division, for "why this rank". */
  fulltextPart: number;
  vectorPart: number;
}

function normalizer(list: Array<{ score: number }>, minMax: boolean): (score: number) => number {
  if (list.length === 0) return () => 0;
  const max = Math.max(...list.map((c) => c.score));
  const min = minMax ? Math.min(...list.map((c) => c.score)) : 0;
  if (!(max > min)) return () => 1;
  return (score) => (score - min) / (max - min);
}

/**
 * Merges the full-text and vector lists (each best first) into one order. `active` says which
 * retrievers ran, so a single mode scores its first hit 1. Ties go to the better full-text score,
 * then the better vector score, then the key (stable across runs).
 */
export function fuseLists<T>(
  fulltext: RankedItem<T>[],
  vector: RankedItem<T>[],
  profile: FusionProfile,
  active: { fulltext: boolean; vector: boolean },
): FusedItem<T>[] {
  const byKey = new Map<string, FusedItem<T>>();
  const entry = (c: RankedItem<T>) => {
    let e = byKey.get(c.key);
    if (!e) {
      e = { key: c.key, item: c.item, fused: 0, fulltextPart: 0, vectorPart: 0 };
      byKey.set(c.key, e);
    }
    return e;
  };
  const ftNorm = normalizer(fulltext, false);
  const vNorm = normalizer(vector, true);
  const part = (weight: number, rank: number, normalized: number) =>
    profile.method === 'rrf' ? weight / (profile.k + rank) : weight * normalized;
  fulltext.forEach((c, i) => {
    const e = entry(c);
    e.fulltextRank = i + 1;
    e.fulltextScore = c.score;
    e.fulltextPart = part(profile.fulltextWeight, i + 1, ftNorm(c.score));
  });
  vector.forEach((c, i) => {
    const e = entry(c);
    e.vectorRank = i + 1;
    e.vectorScore = c.score;
    e.vectorPart = part(profile.vectorWeight, i + 1, vNorm(c.score));
  });
  const weights = (active.fulltext ? profile.fulltextWeight : 0) + (active.vector ? profile.vectorWeight : 0);
  const best = profile.method === 'rrf' ? weights / (profile.k + 1) : weights;
  const out = [...byKey.values()];
  for (const e of out) e.fused = best > 0 ? Math.min(1, (e.fulltextPart + e.vectorPart) / best) : 0;
  return out.sort(
    (a, b) =>
      b.fused - a.fused ||
      (b.fulltextScore ?? -1) - (a.fulltextScore ?? -1) ||
      (b.vectorScore ?? -2) - (a.vectorScore ?? -2) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
