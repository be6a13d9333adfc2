import { generateText } from 'ai';
import type { Services } from '../../ports';
import type { OrgProviderKey } from './registry';
import type { Complexity } from './routing';

/** A label is a few tokens; a classifier slower than this costs more wait than it saves. */
const CLASSIFIER_TIMEOUT_MS = 5000;

const INSTRUCTIONS =
  'You route customer-support messages. Answer with exactly one word: "simple" for greetings, short factual questions ' +
  '(hours, prices, addresses, order status) and thanks; "complex" for troubleshooting, complaints, refunds, comparisons, ' +
  'integrations, legal or multi-part questions.';

/** What a classifier model said, read leniently ("Complex.", "SIMPLE"); null when it said neither. */
export function labelOf(text: string): Complexity | null {
  const word = text.toLowerCase();
  if (/\bcomplex/.test(word)) return 'complex';
  if (/\bsimple/.test(word)) return 'simple';
  return null;
}

/** Asks the toolbox's classifier model to label a message; null (never a throw) when it cannot. */
export async function classifyWithModel(services: Pick<Services, 'models' | 'config'>, keys: OrgProviderKey[], modelId: string, text: string): Promise<Complexity | null> {
  try {
    const resolved = services.models.resolve(modelId, keys);
    if (resolved.kind !== 'llm') return null;
    const result = await generateText({
      model: resolved.model,
      system: INSTRUCTIONS,
      prompt: text.slice(0, 2000),
      temperature: 0,
      maxOutputTokens: 5,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(Math.min(CLASSIFIER_TIMEOUT_MS, services.config.MODEL_TIMEOUT_MS)),
    });
    return labelOf(result.text);
  } catch {
    return null;
  }
}
