/**
 * Token estimates, on their own so that the chat engine's context budget does not import the
 * chunker and, through it, the text extractors (which the edge's request worker must not load).
 */

/**
 * An estimate of BPE tokens (OpenAI-style tokenizers) without a vocabulary: English averages
 * ~4 characters and ~0.75 words per token. Spanish and code have longer words (the character
 * estimate is better), short-word prose the opposite, so averaging the two halves the typical
 * error to ~10%. One pass over char codes, no regex, no allocation: fast on megabytes.
 * Known limit: scripts without spaces (CJK) are underestimated.
 */
export function estimateTokens(text: string): number {
  let words = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const isSpace = code === 32 || (code >= 9 && code <= 13) || code === 0xa0;
    if (isSpace) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return (text.length / 4 + (words * 4) / 3) / 2;
}

/**
 * The estimate is additive over whitespace joins (its character and word counts both are), so
 * packing sums the parts; the epsilon keeps float noise in those sums from rounding a chunk
 * that exactly fills its budget up by one token.
 */
export function countTokens(text: string): number {
  return Math.max(0, Math.ceil(estimateTokens(text) - 1e-9));
}
