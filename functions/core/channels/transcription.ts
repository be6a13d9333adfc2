import { eq } from 'drizzle-orm';
import { messages, organizations } from '../../../db/schema';
import { OutboundRefused } from '../../lib/network';
import type { Services } from '../../ports';
import { orgProviderKeys, PROVIDER_BASE_URLS } from '../models/org-keys';
import { attachmentsOf, type MessageAttachment } from './attachments';
import { announceMessageUpdated, saveAttachment } from './attachment-store';
import { errorMessage } from './http';
import { megabytes } from './media-types';
import { runsTranscription, transcriptionOf } from './transcription-settings';

/**
 * Voice notes and audio files, transcribed: when the organization chose a transcription model
 * (`settings.transcription`, a provider and a model such as `whisper-1` or `gpt-4o-mini-transcribe`,
 * set with `PUT /api/v1/organizations/{id}/settings/transcription`) and holds that provider's key,
 * the `transcribe-audio` job (queued by the download job once the audio is stored, never on the webhook's path) posts each stored audio file to
 * `{baseUrl}/audio/transcriptions` as OpenAI's multipart form (`file`, `model`,
 * `response_format=json`) and writes the text on the attachment (`transcript`,
 * `transcriptStatus`). The bot then answers the transcript; without a model, or when it failed,
 * it gets a placeholder saying a voice message came that it cannot hear, and the inbox shows the
 * audio player alone (plus why, when it failed). Nothing is lost: the audio stays stored either way.
 */
export const TRANSCRIBE_AUDIO_JOB = 'transcribe-audio';

/** OpenAI's transcription endpoint refuses uploads over 25 MB. */
export const TRANSCRIBE_MAX_BYTES = 25 * 1024 * 1024;
const TRANSCRIBE_TIMEOUT_MS = 120_000;
type Transcribed = MessageAttachment;

const needsTranscript = (a: Transcribed) => a.kind === 'audio' && a.status === 'stored' && a.blobKey !== null && !a.transcriptStatus;

/** Whether a message's stored audio waits for a transcript (the download job asks before it queues the reply). */
export function hasAudioToTranscribe(metadata: Record<string, unknown>): boolean {
  return attachmentsOf(metadata).some(needsTranscript);
}

async function transcriptionSetup(services: Services, organizationId: string) {
  const [org] = await services.db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  const choice = transcriptionOf(org?.settings);
  if (!choice) return null;
  const key = (await orgProviderKeys(services, organizationId)).find((k) => runsTranscription(choice, k.provider));
  if (!key) return null;
  const baseUrl = (key.baseUrl ?? PROVIDER_BASE_URLS[key.provider === 'groq' ? 'groq' : 'openai']).replace(/\/+$/, '');
  return { model: choice.model, apiKey: key.apiKey, baseUrl };
}

/** True when this organization would transcribe (a model named and a key that can run it). */
export async function transcribes(services: Services, organizationId: string) {
  return (await transcriptionSetup(services, organizationId)) !== null;
}

type Outcome = { ok: true; text: string } | { ok: false; transient: boolean; reason: string };

/** One file through OpenAI's wire format: multipart `file` + `model`, answered `{ "text": … }`. */
async function transcribeFile(services: Services, setup: { model: string; apiKey: string; baseUrl: string }, attachment: Transcribed): Promise<Outcome> {
  const blob = await services.blobs.get(attachment.blobKey!);
  if (!blob) return { ok: false, transient: false, reason: 'The stored audio is gone.' };
  const form = new FormData();
  form.append('file', new Blob([blob.body as Uint8Array<ArrayBuffer>], { type: attachment.mimeType ?? blob.contentType ?? 'application/octet-stream' }), attachment.filename ?? 'audio');
  form.append('model', setup.model);
  form.append('response_format', 'json');
  let response: Response;
  try {
    response = await services.outbound.fetch(`${setup.baseUrl}/audio/transcriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${setup.apiKey}` },
      body: form,
      timeoutMs: TRANSCRIBE_TIMEOUT_MS,
    });
  } catch (error) {
    return { ok: false, transient: !(error instanceof OutboundRefused), reason: `Could not reach the transcription model: ${errorMessage(error)}` };
  }
  const text = await response.text();
  if (response.status !== 200) {
    const transient = response.status === 408 || response.status === 429 || response.status >= 500;
    let detail = text.slice(0, 200);
    try {
      detail = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? detail;
    } catch {
      // Not JSON: the start of the body says enough.
    }
    return { ok: false, transient, reason: `The transcription model answered HTTP ${response.status}: ${detail}` };
  }
  try {
    const parsed = JSON.parse(text) as { text?: unknown };
    if (typeof parsed.text === 'string') return { ok: true, text: parsed.text.trim() };
  } catch {
    // Falls through to the failure below.
  }
  return { ok: false, transient: false, reason: 'The transcription model answered without a text.' };
}

async function queueReply(services: Services, messageId: string, reply: boolean) {
  if (reply) await services.queue.enqueue('channel-reply', { messageId });
}

/** The job: every stored audio file of one message without a transcript. Throws (to be retried) on a transient failure. */
export async function transcribeMessageAudio(services: Services, messageId: string, reply: boolean) {
  const [row] = await services.db.select().from(messages).where(eq(messages.id, messageId)).limit(1);
  if (!row) return { skipped: 'message not found' };
  const attachments = attachmentsOf(row.metadata);
  const setup = attachments.some(needsTranscript) ? await transcriptionSetup(services, row.organizationId) : null;
  const result = { transcribed: 0, failed: 0 };
  let transient: string | null = null;
  if (setup) {
    for (const [index, attachment] of attachments.entries()) {
      if (!needsTranscript(attachment)) continue;
      if ((attachment.size ?? 0) > TRANSCRIBE_MAX_BYTES) {
        await saveAttachment(services, messageId, index, { ...attachment, transcriptStatus: 'too_large', transcriptError: `Audio over ${megabytes(TRANSCRIBE_MAX_BYTES)} is not transcribed.` });
        result.failed += 1;
        continue;
      }
      const outcome = await transcribeFile(services, setup, attachment);
      if (outcome.ok) {
        await saveAttachment(services, messageId, index, { ...attachment, transcript: outcome.text, transcriptStatus: 'done', transcriptError: null });
        result.transcribed += 1;
      } else if (outcome.transient) transient = outcome.reason;
      else {
        await saveAttachment(services, messageId, index, { ...attachment, transcriptStatus: 'failed', transcriptError: outcome.reason });
        result.failed += 1;
      }
    }
    await announceMessageUpdated(services, messageId);
  }
  if (transient) throw new Error(`Transcription will be retried: ${transient}`);
  await queueReply(services, messageId, reply);
  return result;
}

/** After the last attempt: what is still untranscribed is marked failed, and the answer goes (with the placeholder). */
export async function giveUpTranscription(services: Services, messageId: string, reply: boolean, reason: string) {
  const [row] = await services.db.select().from(messages).where(eq(messages.id, messageId)).limit(1);
  if (!row) return;
  for (const [index, attachment] of attachmentsOf(row.metadata).entries()) {
    if (needsTranscript(attachment)) await saveAttachment(services, messageId, index, { ...attachment, transcriptStatus: 'failed', transcriptError: reason });
  }
  await announceMessageUpdated(services, messageId);
  await queueReply(services, messageId, reply);
}
