import { queryWords } from './search';

/**
 * The text to retrieve with for a chat turn. A follow-up such as "¿y los sábados?" after "¿Cuál
 * es vuestro horario de atención?" has no topic of its own: searched alone it finds whatever
 * mentions Saturdays. Without a model to rewrite it, the query borrows the previous user turn's
 * content words when the new one is short or opens like a continuation; the words of the new
 * question stay first, and BM25's OR-matching lets the borrowed ones only add context.
 */
export function retrievalQuery(text: string, history: ReadonlyArray<{ role: string; content: string }>): string {
  const previous = [...history].reverse().find((m) => m.role === 'user' && m.content.trim() !== '' && m.content.trim() !== text.trim());
  if (!previous || !isFollowUp(text)) return text;
  const own = new Set(queryWords(text));
  const borrowed = queryWords(previous.content)
    .filter((w) => !own.has(w))
    .slice(0, MAX_BORROWED_WORDS);
  return borrowed.length === 0 ? text : `${text} ${borrowed.join(' ')}`;
}

/** Enough context from the previous question without letting it outweigh the new one. */
const MAX_BORROWED_WORDS = 5;
/** Content words at or below which a question is assumed to lean on the previous one. */
const SHORT_QUESTION_WORDS = 2;

/** Openings of a continuation in Spanish and English ("¿y...?", "what about...", "and if..."). */
const CONTINUATION =
  /^[\s¿¡"'(]*(y|e|o|pero|entonces|también|tambien|además|ademas|and|or|but|so|also|what about|how about|same for|and if|y si|y en|y para|y con)\b/i;
/** Pronouns that point back at the previous topic. */
const ANAPHORA = /\b(eso|esto|ello|ese|esa|esos|esas|este|esta|it|that|this|those|them|they|one|ones)\b/i;

export function isFollowUp(text: string): boolean {
  const words = queryWords(text);
  if (words.length === 0) return false;
  return words.length <= SHORT_QUESTION_WORDS || CONTINUATION.test(text) || (words.length <= 4 && ANAPHORA.test(text));
}
