import type { TFunction } from './i18n';

interface ReadSource {
  cited?: boolean;
}

/**
 * The line above an answer's passages in the inbox. The widget shows a visitor only the passages
 * the answer cited; the team sees every passage the bot read, so when only some were cited the
 * line says how many and `markCited` asks the list to mark them.
 */
export function answerSourcesSummary(sources: readonly ReadSource[], t: TFunction): { summary: string; markCited: boolean } {
  const cited = sources.filter((s) => s.cited).length;
  const markCited = sources.some((s) => s.cited !== undefined) && cited < sources.length;
  if (markCited) return { summary: t('thread.sourcesRead', { count: sources.length, cited }), markCited };
  return { summary: sources.length === 1 ? t('thread.source') : t('thread.sources', { count: sources.length }), markCited };
}
