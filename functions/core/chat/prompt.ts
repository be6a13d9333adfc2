import type { SearchHit } from '../retrieval/search';

/** What the model is told: the bot's prompt, its manner, its language, and the numbered context. */
export interface PromptBot {
  systemPrompt: string;
  personality: string;
  language: string;
  answerOnlyFromKnowledge: boolean;
  name: string;
}

const PERSONALITIES: Record<string, string> = {
  professional: 'Be professional, clear and precise.',
  friendly: 'Be warm and friendly, and keep a helpful tone.',
  concise: 'Be brief: answer in as few words as the question allows.',
  playful: 'Be upbeat and lightly playful, without losing accuracy.',
};

const LANGUAGE: Record<string, string> = {
  es: 'Always answer in Spanish.',
  en: 'Always answer in English.',
  auto: 'Answer in the language the user writes in.',
};

export function contextBlock(hits: SearchHit[]): string {
  return hits
    .map((hit, i) => {
      const where = [hit.documentName, hit.location.page ? `p. ${hit.location.page}` : '', hit.location.headings?.join(' > ') ?? '']
        .filter(Boolean)
        .join(' · ');
      return `[${i + 1}] (${where})\n${hit.content}`;
    })
    .join('\n\n');
}

export function systemPrompt(bot: PromptBot, hits: SearchHit[]): string {
  const lines = [
    bot.systemPrompt.trim() || `You are ${bot.name}, an assistant that helps this organization's customers.`,
    PERSONALITIES[bot.personality] ?? PERSONALITIES.professional,
    LANGUAGE[bot.language] ?? LANGUAGE.auto,
  ];
  if (hits.length > 0) {
    lines.push(
      'Use the numbered context below. Cite the passages you use with their number in brackets, like [1]. Do not invent facts that are not in the context.',
      bot.answerOnlyFromKnowledge
        ? 'If the context does not contain the answer, say that you do not know and offer to connect the user with a person.'
        : 'If the context does not contain the answer, you may answer from general knowledge, and say so.',
      `Context:\n${contextBlock(hits)}`,
    );
  }
  return lines.join('\n\n');
}
