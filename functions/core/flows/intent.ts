import { normalizeText } from './inputs';

/**
 * The intent check without a model: the visitor's words against the intent's name and examples.
 * An example matches when most of its meaningful words appear in the message (a word matches on
 * its first five letters, so "pedidos" finds "pedido").
 */
const stem = (word: string) => word.slice(0, 5);

function words(text: string) {
  return normalizeText(text)
    .split(' ')
    .filter((w) => w.length >= 3);
}

export function keywordIntent(text: string, intent: string, examples: string[]): boolean {
  const said = new Set(words(text).map(stem));
  if (said.size === 0) return false;
  const candidates = [intent.replace(/[_-]+/g, ' '), ...examples];
  return candidates.some((example) => {
    const wanted = words(example).map(stem);
    if (wanted.length === 0) return false;
    const hits = wanted.filter((w) => said.has(w)).length;
    return hits / wanted.length >= 0.5;
  });
}
