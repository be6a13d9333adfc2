import { createRoute, z } from '@hono/zod-openapi';
import { storedAttachment, postAgentAttachment } from '../core/channels/media-outgoing';
import { agentMessageView } from '../core/conversations/read';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { inboxActor } from './conversations.shared';
import { ConversationParams, MessageSchema } from './conversations.schemas';

/**
 * Files in a conversation: /{id}/attachments (an agent sends one) and
 * /{id}/messages/{message_id}/attachments/{index} (the stored bytes, streamed). Readers of the
 * conversation read its files; agents and up send them.
 */
export const conversationAttachmentsRouter = createRouter();
conversationAttachmentsRouter.use('/:conversation_id/attachments', authenticate, withOrg);
conversationAttachmentsRouter.use('/:conversation_id/messages/:message_id/attachments/*', authenticate, withOrg);

const tags = ['Conversations'];

const AttachmentParams = ConversationParams.extend({
  message_id: z.uuid(),
  index: z.coerce.number().int().min(0).max(50).openapi({ description: 'Position in the message\u2019s `metadata.attachments`' }),
});

const AttachmentQuery = z.object({
  download: z.enum(['1', 'true']).optional().openapi({ description: 'Serve as a download even when the type could be shown inline' }),
});

const UploadAttachmentBody = z.object({
  file: z.any().openapi({ type: 'string', format: 'binary' }),
  caption: z.string().max(4000).optional().openapi({ description: 'Text sent after the file' }),
});

conversationAttachmentsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}/messages/{message_id}/attachments/{index}',
    tags,
    summary: 'The bytes of a message\u2019s file',
    description:
      'Streamed with its type, `Content-Disposition` and `X-Content-Type-Options: nosniff`. Images (JPEG, PNG, GIF, WebP), audio, video and PDF are served inline; anything else as an `application/octet-stream` download. 404 while the file is pending or when it was not stored.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: AttachmentParams, query: AttachmentQuery },
    responses: {
      200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { conversation_id, message_id, index } = c.req.valid('param');
    const download = c.req.valid('query').download !== undefined;
    const where = { organizationId: c.get('org').organizationId, conversationId: conversation_id, messageId: message_id, index };
    const file = await storedAttachment(c.get('services'), where, download);
    return c.body(file.body, 200, file.headers) as never;
  },
);

conversationAttachmentsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/attachments',
    tags,
    summary: 'Send a file as an agent (takes the conversation from the bot)',
    description:
      'Multipart `file` (and an optional `caption`, sent after it). Checked against the channel: WhatsApp images up to 5 MB (JPEG, PNG), audio and video 16 MB, documents 100 MB; Messenger 25 MB; Instagram images 8 MB; Telegram photos 10 MB, other files 50 MB; the widget 10 MB; email 10 MB (sent as an attachment of one mail with the caption as its text); and at most 25 MB per upload. The file goes out like an agent reply.',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams, body: { required: true, content: { 'multipart/form-data': { schema: UploadAttachmentBody } } } },
    responses: {
      201: jsonContent(MessageSchema, 'The stored message'),
      413: errorResponse('Larger than the channel allows'),
      415: errorResponse('A type the channel does not take'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { file, caption } = c.req.valid('form');
    if (!(file instanceof File)) {
      throw new ApiError('validation_failed', 'Send the file as the multipart field `file`.', { details: [{ path: 'file', message: 'Required', code: 'required' }] });
    }
    const actor = inboxActor(c);
    const services = c.get('services');
    const stored = await postAgentAttachment(services, actor, c.req.valid('param').conversation_id, file, caption ?? '');
    return c.json(await agentMessageView(services.db, stored, actor.userId), 201);
  },
);
