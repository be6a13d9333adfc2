/** The assistant settings form's state: how a bot becomes form fields and fields become the PUT body. */
import type { Bot, BotLanguage, Personality } from '../../../../lib/queries';

export const PERSONALITIES: Personality[] = ['professional', 'friendly', 'concise', 'playful'];
export const LANGUAGES: BotLanguage[] = ['auto', 'es', 'en'];

/** Form state: numbers typed into inputs stay strings until saved so a cleared field is allowed. */
export function fromBot(bot: Bot) {
  return {
    name: bot.name,
    description: bot.description ?? '',
    type: bot.type,
    autoReply: bot.autoReply ?? '',
    model: bot.model,
    fallbackModel: bot.fallbackModel ?? '',
    systemPrompt: bot.systemPrompt ?? '',
    temperature: bot.temperature,
    maxTokens: String(bot.maxTokens),
    personality: bot.personality,
    language: bot.language,
    memorySize: String(bot.memorySize),
    welcomeMessage: bot.welcomeMessage ?? '',
    fallbackMessage: bot.fallbackMessage ?? '',
    outOfHoursMessage: bot.outOfHoursMessage ?? '',
    retrievalTopK: String(bot.retrievalTopK),
    retrievalThreshold: bot.retrievalThreshold,
    retrievalRerank: bot.retrievalRerank,
    answerOnlyFromKnowledge: bot.answerOnlyFromKnowledge,
  };
}
export type Form = ReturnType<typeof fromBot>;

const orNull = (s: string) => (s.trim() ? s.trim() : null);
export function toBody(f: Form) {
  return {
    name: f.name.trim(),
    description: orNull(f.description),
    type: f.type,
    autoReply: orNull(f.autoReply),
    model: f.model,
    fallbackModel: f.fallbackModel || null,
    systemPrompt: f.systemPrompt,
    temperature: f.temperature,
    maxTokens: Number(f.maxTokens),
    personality: f.personality,
    language: f.language,
    memorySize: Number(f.memorySize),
    welcomeMessage: orNull(f.welcomeMessage),
    fallbackMessage: orNull(f.fallbackMessage),
    outOfHoursMessage: orNull(f.outOfHoursMessage),
    retrievalTopK: Number(f.retrievalTopK),
    retrievalThreshold: f.retrievalThreshold,
    retrievalRerank: f.retrievalRerank,
    answerOnlyFromKnowledge: f.answerOnlyFromKnowledge,
  };
}

/** What every section of the settings form receives. */
export interface SectionProps {
  form: Form;
  set: <K extends keyof Form>(key: K, value: Form[K]) => void;
  /** The server's message for a field, after a refused save. */
  fe: (path: string) => string | undefined;
  canWrite: boolean;
}
