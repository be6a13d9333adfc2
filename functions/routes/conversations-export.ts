import { createRoute } from '@hono/zod-openapi';
import { exportConversation } from '../core/conversations/export';
import { getConversation } from '../core/conversations/read';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';
import { ConversationCsvSchema, ConversationDetailSchema, ConversationParams, ConversationTranscriptSchema, ExportQuery } from './conversations.schemas';

/** /api/v1/conversations/{id}/export: the conversation as a file, in the format the query asks for. */
export const conversationExportRouter = createRouter();
conversationExportRouter.use('/:conversation_id/export', authenticate, withOrg);

conversationExportRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}/export',
    tags: ['Conversations'],
    summary: 'Export the conversation as JSON, CSV or a plain-text transcript',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ConversationParams, query: ExportQuery },
    responses: {
      200: {
        description: 'The file (Content-Disposition: attachment): `format=json` (the default) the conversation with its messages, `csv` one row per message, `txt` a transcript',
        content: {
          'application/json': { schema: ConversationDetailSchema },
          'text/csv': { schema: ConversationCsvSchema },
          'text/plain': { schema: ConversationTranscriptSchema },
        },
      },
      ...protectedErrors,
    },
  }),
  async (c) => {
    const detail = await getConversation(c.get('services').db, c.get('org').organizationId, c.req.valid('param').conversation_id);
    if (!detail) throw new ApiError('not_found', 'Conversation not found');
    const file = exportConversation(detail, c.req.valid('query').format);
    c.header('Content-Type', file.contentType);
    c.header('Content-Disposition', `attachment; filename="conversation-${detail.id}.${file.extension}"`);
    return c.body(file.body, 200);
  },
);
