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

/**
 * Where a stored message's metadata repeats what the customer wrote or named: the platform's
 * media object (WhatsApp's caption and document filename, Telegram's file name), the attachment
 * list (every channel's filenames) and the raw file lists Slack, Discord and Meta send.
 */
const PERSONAL_METADATA_ROOTS = ['media', 'attachments', 'platformAttachments', 'slackFiles', 'discordFiles'] as const;
const PERSONAL_METADATA_KEYS = new Set(['caption', 'filename', 'fileName', 'file_name', 'name', 'title']);

type Slot = { holder: Record<string, unknown>; key: string };

function personalSlots(value: unknown, slots: Slot[], depth = 0) {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) personalSlots(item, slots, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, inner] of Object.entries(record)) {
    if (typeof inner === 'string' && inner !== '' && PERSONAL_METADATA_KEYS.has(key)) slots.push({ holder: record, key });
    else personalSlots(inner, slots, depth + 1);
  }
}

/** A copy of `metadata` with its captions and filenames masked when `enabled` (one redactor call). */
export async function redactMessageMetadata<T extends Record<string, unknown>>(services: Pick<Services, 'redactor'>, enabled: boolean, metadata: T): Promise<T> {
  if (!enabled) return metadata;
  const copy = structuredClone(metadata) as Record<string, unknown>;
  const slots: Slot[] = [];
  for (const root of PERSONAL_METADATA_ROOTS) personalSlots(copy[root], slots);
  if (slots.length === 0) return metadata;
  const masked = await redactTexts(services, true, slots.map((slot) => slot.holder[slot.key] as string));
  slots.forEach((slot, i) => (slot.holder[slot.key] = masked[i]));
  return copy as T;
}
