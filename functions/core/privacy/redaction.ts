import type { Services } from '../../ports';

/**
 * The request side of redaction: what a chat turn or a channel webhook calls. It never imports the
 * redactor itself (core/privacy/redact.ts and its phone metadata stay out of the request worker);
 * `services.redactor` does the masking wherever the runtime put it.
 */

/** Thrown when an organization wants redaction and this deployment cannot mask: storing unmasked would break the promise. */
function noRedactor(): never {
  throw new Error('redaction is on for this organization but no redactor is configured (the INGEST binding at the edge)');
}

/** `texts` masked when `enabled`, as they are otherwise (one call for all of them). */
export async function redactTexts(services: Pick<Services, 'redactor'>, enabled: boolean, texts: string[]): Promise<string[]> {
  if (!enabled || texts.length === 0) return texts;
  if (!services.redactor) noRedactor();
  return services.redactor.redact(texts);
}

export async function redactText(services: Pick<Services, 'redactor'>, enabled: boolean, text: string): Promise<string> {
  return (await redactTexts(services, enabled, [text]))[0];
}

/**
 * The history a model sees, masked: messages stored before redaction was turned on still hold
 * the data, and an agent's reply may quote it.
 */
export async function redactHistory<T extends { content: string }>(services: Pick<Services, 'redactor'>, enabled: boolean, history: T[]): Promise<T[]> {
  if (!enabled || history.length === 0) return history;
  const masked = await redactTexts(services, true, history.map((h) => h.content));
  return history.map((h, i) => ({ ...h, content: masked[i] }));
}
