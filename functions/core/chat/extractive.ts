import type { SearchHit } from '../retrieval/search';

/**
 * The built-in answerer for deployments without a model: it quotes the sentences of the retrieved
 * chunks that share the most words with the question, each with its citation number. Honest by
 * construction: it can only repeat what the knowledge base says.
 */
const STOPWORDS = new Set(
  'a al como con de del el en es la las lo los o para por que qué se su un una y the a an and are as at be by for from how i in is it of on or that the to was what when where which who why with you your cuál cuáles cuándo cómo dónde hay mi me tu'.split(
    ' ',
  ),
);

function terms(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9ñ]+/)
    .filter((w) => w.length > 2 && !STOPWORDS.has(w))
    .map((w) => w.slice(0, 6));
}

function sentences(text: string): string[] {
  return (
    text
      .split(/\n+/)
      // Headings and heading paths ("Envíos > Plazos") are context, not answers.
      .filter((line) => !/^\s*#{1,6}\s/.test(line) && !(line.includes(' > ') && line.length < 120 && !/[.!?]$/.test(line.trim())))
      .flatMap((line) => line.split(/(?<=[.!?])\s+/))
      .map((s) => s.replace(/^[-*+]\s+/, '').trim())
      .filter((s) => s.length > 0 && !/^[^\p{L}\p{N}]*$/u.test(s))
  );
}

const MAX_SENTENCES = 3;

export function extractiveAnswer(question: string, hits: SearchHit[], language: 'es' | 'en'): string {
  const wanted = new Set(terms(question));
  const scored = hits.flatMap((hit, index) =>
    sentences(hit.content).map((sentence, order) => ({
      sentence,
      cite: index + 1,
      overlap: new Set(terms(sentence).filter((t) => wanted.has(t))).size,
      // Ties go to better-ranked passages and to earlier sentences in them.
      tiebreak: hit.score - order * 0.01,
    })),
  );
  const ranked = scored.sort((a, b) => b.overlap - a.overlap || b.tiebreak - a.tiebreak);
  // Sentences sharing a word with the question; if none does, the best passage's first sentence.
  const matching = ranked.filter((s) => s.overlap > 0);
  const best = (matching.length > 0 ? matching : ranked.slice(0, 1)).slice(0, MAX_SENTENCES);
  const intro = language === 'en' ? 'This is what I found in our documentation:' : 'Esto es lo que encontré en nuestra documentación:';
  const body = best.map((s) => `- ${s.sentence} [${s.cite}]`).join('\n');
  return `${intro}\n\n${body}`;
}
