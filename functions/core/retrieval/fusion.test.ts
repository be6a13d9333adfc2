import { describe, expect, it } from 'vitest';
import { FUSION_PROFILES, fuseLists, fusionProfileFor, type RankedItem } from './fusion';

const item = (key: string, score: number): RankedItem<string> => ({ key, item: key, score });

/**
 * The shape of the misses that motivated per-model fusion: full text ranks the answer first and
 * the lexical embedder does not return it at all, while it returns the full-text runners-up.
 */
function fulltextWinnerMissingFromVectors() {
  const fulltext = [item('answer', 2.4), ...Array.from({ length: 39 }, (_, i) => item(`c${i}`, 1.6 - i * 0.02))];
  const vector = Array.from({ length: 40 }, (_, i) => item(`c${i}`, 0.34 - i * 0.001));
  return { fulltext, vector };
}

describe('fusion', () => {
  it('keeps a full-text first hit absent from the lexical vector list in the top 5', () => {
    const { fulltext, vector } = fulltextWinnerMissingFromVectors();
    const fused = fuseLists(fulltext, vector, fusionProfileFor(['builtin-hash-384']), { fulltext: true, vector: true });
    const rank = fused.findIndex((f) => f.key === 'answer') + 1;
    expect(rank, JSON.stringify(fused.slice(0, 6))).toBeGreaterThan(0);
    expect(rank).toBeLessThanOrEqual(5);
    // Equal-weight RRF (the old fusion) drops it, which is what this profile exists to prevent.
    const equal = fuseLists(fulltext, vector, { kind: 'custom', method: 'rrf', k: 60, fulltextWeight: 1, vectorWeight: 1, reason: '' }, { fulltext: true, vector: true });
    expect(equal.findIndex((f) => f.key === 'answer') + 1).toBeGreaterThan(5);
  });

  it('lets a semantic model lift a chunk full text ranks low', () => {
    const fulltext = [item('a', 2), item('b', 1.9), item('c', 1.8), item('d', 0.5)];
    const vector = [item('d', 0.82), item('b', 0.6), item('x', 0.55)];
    const semantic = fuseLists(fulltext, vector, fusionProfileFor(['openai:text-embedding-3-small']), { fulltext: true, vector: true });
    const lexical = fuseLists(fulltext, vector, fusionProfileFor(['builtin-hash-384']), { fulltext: true, vector: true });
    const rank = (list: typeof semantic, key: string) => list.findIndex((f) => f.key === key) + 1;
    expect(rank(semantic, 'd')).toBeLessThan(rank(lexical, 'd'));
    expect(rank(semantic, 'b')).toBe(1);
  });

  it('scores 0..1 with the first hit of a single mode at 1 and explains each part', () => {
    const fulltext = [item('a', 3), item('b', 1.5)];
    const fused = fuseLists(fulltext, [], FUSION_PROFILES['builtin-hash-384'], { fulltext: true, vector: false });
    expect(fused.map((f) => [f.key, f.fused])).toEqual([
      ['a', 1],
      ['b', 0.5],
    ]);
    expect(fused[0]).toMatchObject({ fulltextRank: 1, fulltextScore: 3, vectorPart: 0 });
  });

  it('picks the profile that trusts vectors least when models are mixed, and treats unknown built-ins as lexical', () => {
    expect(fusionProfileFor(['openai:text-embedding-3-small', 'builtin-hash-384'])).toBe(FUSION_PROFILES['builtin-hash-384']);
    expect(fusionProfileFor(['builtin-hash-256'])).toBe(FUSION_PROFILES['builtin-hash-384']);
    expect(fusionProfileFor(['openai:text-embedding-3-large'])).toBe(FUSION_PROFILES['openai:text-embedding-3-small']);
  });
});
