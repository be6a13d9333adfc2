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
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^[^\p{L}\p{N}]*$/u.test(s));
}

const MAX_SENTENCES = 3;

export function extractiveAnswer(question: string, hits: SearchHit[], language: 'es' | 'en'): string {
  const wanted = new Set(terms(question));
  const scored = hits.flatMap((hit, index) =>
    sentences(hit.content)
      // A heading path prefix ("Envíos > Plazos") is context, not an answer.
      .filter((sentence) => !sentence.includes(' > ') || sentence.length > 60)
      .map((sentence, order) => ({
        sentence,
        cite: index + 1,
        score: terms(sentence).filter((t) => wanted.has(t)).length + hit.score - order * 0.01,
      })),
  );
  const best = scored.sort((a, b) => b.score - a.score).slice(0, MAX_SENTENCES).filter((s, i) => i === 0 || s.score >= 1);
  const intro = language === 'en' ? 'This is what I found in our documentation:' : 'Esto es lo que encontré en nuestra documentación:';
  const body = best.map((s) => `- ${s.sentence} [${s.cite}]`).join('\n');
  return `${intro}\n\n${body}`;
}
