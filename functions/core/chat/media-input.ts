import type { UserContent } from 'ai';
import type { Services } from '../../ports';
import { attachmentsOf } from '../channels/attachments';
import { INLINE_IMAGE_TYPES } from '../channels/media-types';
import type { MessageRow } from '../channels/types';

/**
 * A customer's pictures, passed to the model as image parts (AI SDK message content) when the
 * model can read images. Which models can is judged by their ids (the providers' vision families);
 * any other model, and the keyless built-in answerer, get the text alone: the caption, or the
 * "[image]" placeholder the channel parser wrote.
 */
const VISION_MODELS = [/gpt-4o/, /gpt-4\.1/, /gpt-5/, /\bo[34]\b/, /o[34]-/, /claude-(3|sonnet|opus|haiku)/, /gemini/, /pixtral/, /llava/, /vision/, /grok-.*vision|grok-4/, /llama-4/, /qwen.*vl/];
/** Pictures passed per turn, and the largest one: beyond these the model is not the right reader. */
const MAX_IMAGES = 4;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export function modelReadsImages(modelId: string) {
  const id = modelId.toLowerCase();
  return !id.startsWith('builtin') && VISION_MODELS.some((pattern) => pattern.test(id));
}

/** The user turn's content: the text, plus the stored images when the model reads them. */
export async function userContentFor(services: Pick<Services, 'blobs'>, modelId: string, message: Pick<MessageRow, 'metadata'> | undefined, text: string): Promise<UserContent> {
  if (!message || !modelReadsImages(modelId)) return text;
  const images = attachmentsOf(message.metadata)
    .filter((a) => (a.kind === 'image' || a.kind === 'sticker') && a.status === 'stored' && a.blobKey && INLINE_IMAGE_TYPES.has(a.mimeType ?? '') && (a.size ?? 0) <= MAX_IMAGE_BYTES)
    .slice(0, MAX_IMAGES);
  if (images.length === 0) return text;
  const parts: Exclude<UserContent, string> = [{ type: 'text', text }];
  for (const image of images) {
    const blob = await services.blobs.get(image.blobKey!);
    if (blob) parts.push({ type: 'image', image: blob.body, mediaType: image.mimeType ?? undefined });
  }
  return parts.length > 1 ? parts : text;
}
