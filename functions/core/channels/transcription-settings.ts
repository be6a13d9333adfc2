import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { organizations } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { loadStoredKeys } from '../models/stored-keys';

/**
 * Which model transcribes voice notes, kept under `organizations.settings.transcription` (other
 * areas own other keys of the same jsonb, so a write replaces this key alone). Only providers that
 * speak OpenAI's `/audio/transcriptions` can be chosen, and only one the organization holds a key
 * for: the job would otherwise skip every voice note without anyone knowing why.
 */
export const TRANSCRIBING_PROVIDERS = ['openai', 'groq', 'compatible'] as const;
export type TranscribingProvider = (typeof TRANSCRIBING_PROVIDERS)[number];

export const TranscriptionChoiceSchema = z.object({
  provider: z.enum(TRANSCRIBING_PROVIDERS).describe('Whose key the audio is sent with'),
  model: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w.:/@-]+$/, 'A model name has no spaces (for example whisper-1)')
    .describe('The transcription model, for example whisper-1 or gpt-4o-mini-transcribe'),
});
export type TranscriptionChoice = z.infer<typeof TranscriptionChoiceSchema>;

/**
 * What is stored. An older setting named only the model (`provider` absent): the first key of a
 * transcribing provider then runs it, as before this setting had a screen.
 */
export interface StoredTranscription {
  provider: TranscribingProvider | null;
  model: string;
}

const isTranscribingProvider = (value: unknown): value is TranscribingProvider => TRANSCRIBING_PROVIDERS.includes(value as TranscribingProvider);

/** Whether a key of this provider runs the choice; one saved before the provider was chosen runs on any transcribing key. */
export function runsTranscription(choice: StoredTranscription, provider: string): boolean {
  return choice.provider ? provider === choice.provider : isTranscribingProvider(provider);
}

/** The organization's transcription choice read from its settings jsonb; anything malformed reads as off. */
export function transcriptionOf(settings: Record<string, unknown> | null | undefined): StoredTranscription | null {
  const stored = settings?.transcription as { provider?: unknown; model?: unknown } | undefined;
  const model = typeof stored?.model === 'string' ? stored.model.trim() : '';
  if (!model) return null;
  return { provider: isTranscribingProvider(stored?.provider) ? stored.provider : null, model };
}

async function organizationSettings(services: Pick<Services, 'db'>, organizationId: string) {
  const [org] = await services.db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  if (!org) throw new ApiError('not_found', 'Organization not found');
  return org.settings;
}

/** The setting, and whether a key it can run with is there (a key removed later turns it off silently). */
export async function readTranscriptionSetting(services: Pick<Services, 'db'>, organizationId: string) {
  const transcription = transcriptionOf(await organizationSettings(services, organizationId));
  const keys = transcription ? await loadStoredKeys(services, organizationId) : [];
  const ready = transcription !== null && keys.some((k) => runsTranscription(transcription, k.provider));
  return { transcription, ready };
}

async function requireKeyFor(services: Pick<Services, 'db'>, organizationId: string, provider: TranscribingProvider) {
  const keys = await loadStoredKeys(services, organizationId);
  if (keys.some((k) => k.provider === provider)) return;
  throw new ApiError('validation_failed', 'The request is not valid', {
    details: [{ path: 'transcription.provider', code: 'no_key', message: `The organization has no ${provider} key: save one under Settings → Model providers first` }],
  });
}

/** Sets the choice (checked against the organization's keys) or, with null, turns transcription off. */
export async function updateTranscriptionSetting(services: Pick<Services, 'db'>, organizationId: string, choice: TranscriptionChoice | null) {
  const before = transcriptionOf(await organizationSettings(services, organizationId));
  if (choice) await requireKeyFor(services, organizationId, choice.provider);
  // One statement that touches only this key, so a concurrent privacy or billing write is kept.
  const settings = choice
    ? sql`${organizations.settings} || jsonb_build_object('transcription', ${JSON.stringify(choice)}::jsonb)`
    : sql`${organizations.settings} - 'transcription'`;
  await services.db.update(organizations).set({ settings }).where(eq(organizations.id, organizationId));
  return { before, after: choice ? { provider: choice.provider, model: choice.model } : null };
}
