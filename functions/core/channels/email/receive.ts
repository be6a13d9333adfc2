import { eq, sql } from 'drizzle-orm';
import { messages } from '../../../../db/schema';
import { ApiError } from '../../../lib/errors';
import type { Services } from '../../../ports';
import type { EmailCredentials } from '../credentials';
import { errorMessage } from '../http';
import { storeInbound, type InboundOutcome } from '../inbound';
import type { MessageRow, WebhookIntegration } from '../types';
import { checkMailgunSignature, formOf, parseMailgunForm, signatureFields } from './mailgun';
import { inboundFromEmail, kindOf, type EmailAttachmentInput, type ParsedEmail } from './message';
import { attachmentBlobKey, displayFilename, type MessageAttachment } from '../attachments';
import { redactTexts } from '../../privacy/redaction';
import { cleanJsonText } from '../../../lib/text';

/**
 * Storing an inbound mail, whichever way it came: the customer message (threaded, deduplicated by
 * Message-Id, not answered when it is automatic), then its attachments in blob storage under the
 * message (the shared attachments contract), before the inbox hears of it.
 */
async function storeOne(services: Services, row: MessageRow, file: EmailAttachmentInput, index: number): Promise<MessageAttachment> {
  const base = {
    kind: kindOf(file.mimeType),
    mimeType: file.mimeType,
    size: file.size,
    filename: displayFilename(file.filename),
    ...(file.inline ? { inline: true } : {}),
  };
  const limit = services.config.EMAIL_ATTACHMENT_MAX_BYTES;
  if (file.size > limit) return { ...base, status: 'too_large', blobKey: null, error: `The file is ${file.size} bytes; the limit is ${limit}` };
  const key = attachmentBlobKey(row.organizationId, row.id, index, file.filename);
  try {
    await services.blobs.put(key, await file.read(), { contentType: file.mimeType ?? 'application/octet-stream' });
    return { ...base, status: 'stored', blobKey: key };
  } catch (error) {
    return { ...base, status: 'failed', blobKey: null, error: `Could not store the file: ${errorMessage(error)}` };
  }
}

async function storeAttachments(services: Services, row: MessageRow, files: EmailAttachmentInput[], redacting: boolean): Promise<MessageRow> {
  if (files.length === 0) return row;
  // With redaction on, a filename is masked before it names the blob or the stored attachment.
  const names = await redactTexts(services, redacting, files.map((file) => file.filename ?? ''));
  const attachments: MessageAttachment[] = [];
  for (const [index, file] of files.entries()) attachments.push(await storeOne(services, row, { ...file, filename: file.filename === null ? null : names[index] }, index + 1));
  const [updated] = await services.db
    .update(messages)
    .set({
      metadata: sql`${messages.metadata} || ${JSON.stringify({ attachments })}::jsonb`,
      ...(row.content === '(empty email)' ? { contentType: attachments[0].kind } : {}),
    })
    .where(eq(messages.id, row.id))
    .returning();
  return updated ?? row;
}

export async function storeEmail(services: Services, integration: WebhookIntegration, parsed: ParsedEmail): Promise<InboundOutcome> {
  // Mail is text from outside the API: what Postgres cannot store (NUL, lone surrogates) is cleaned, not refused.
  const email = cleanJsonText(parsed);
  const message = await inboundFromEmail(email);
  return storeInbound(services, integration, { messages: [message], edits: [], statuses: [], ignored: 0 }, (_message, row, { redacting }) =>
    storeAttachments(services, row, email.attachments, redacting),
  );
}

const replayKey = (integrationId: string, token: string) => `email-webhook-token:${integrationId}:${token}`;

async function readForm(raw: Uint8Array, contentType: string | undefined): Promise<FormData> {
  if (!contentType || !/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(contentType)) {
    throw new ApiError('unsupported_media_type', 'Mailgun posts inbound mail as multipart/form-data');
  }
  const form = await formOf(raw, contentType);
  if (!form) throw new ApiError('bad_request', 'The body is not a valid form');
  return form;
}

/**
 * A Mailgun inbound-route delivery: signature over timestamp+token (forged → 401, too old → 401),
 * a token seen before → 406 (Mailgun does not retry it), then the mail is stored. The token is
 * remembered only once the mail is stored, so a delivery that failed half way can be retried.
 */
export async function receiveMailgun(
  services: Services,
  integration: WebhookIntegration,
  credentials: EmailCredentials,
  raw: Uint8Array,
  header: (name: string) => string | undefined,
): Promise<InboundOutcome> {
  const form = await readForm(raw, header('content-type'));
  const fields = signatureFields(form);
  if (!credentials.signingKey || !fields) throw new ApiError('unauthorized', 'The webhook signature is missing or not valid');
  const { config } = services;
  const check = await checkMailgunSignature(credentials.signingKey, fields, Date.now(), config.EMAIL_WEBHOOK_MAX_AGE_SECONDS);
  if (check === 'forged') throw new ApiError('unauthorized', 'The webhook signature is missing or not valid');
  if (check === 'stale') throw new ApiError('unauthorized', 'The webhook timestamp is too old or in the future');
  if (await services.kv.get(replayKey(integration.id, fields.token))) throw new ApiError('replayed_request', 'This signed delivery was already received');
  if (integration.status === 'disconnected') return { stored: 0, duplicates: 0, edits: 0, statuses: 0, ignored: 1 };
  const email = parseMailgunForm(form);
  const outcome = email ? await storeEmail(services, integration, email) : { stored: 0, duplicates: 0, edits: 0, statuses: 0, ignored: 1 };
  await services.kv.set(replayKey(integration.id, fields.token), 1, { ttlSeconds: config.EMAIL_WEBHOOK_MAX_AGE_SECONDS * 2 });
  return outcome;
}
