import { createRoute } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import { botKnowledgeBases } from '../../db/schema';
import { forgetBot } from '../core/chat/bot-runtime';
import { findBot } from '../core/chat/bots';
import { uploadDocument } from '../core/knowledge/documents';
import { createKnowledgeBase } from '../core/knowledge/knowledge-bases';
import { inOrg } from '../lib/tenancy';
import type { Services } from '../ports';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { BotParamsSchema } from './chatbots.schemas';
import { DocumentSchema, UploadDocumentSchema } from './knowledge.schemas';

/**
 * The product brief's `POST /bots/{bot_id}/train`: upload a file into a bot's knowledge. It is the
 * knowledge base upload (same checks, same background processing) into the bot's first linked
 * knowledge base, or into a new one named after the bot and linked to it.
 */
export const botsTrainRouter = createRouter();
botsTrainRouter.use('/:chatbot_id/train', authenticate, withOrg);

/** The knowledge base a bot learns into: the first one linked to it, or a new one. */
async function trainingKnowledgeBase(services: Services, organizationId: string, bot: { id: string; name: string }, createdBy: string | null) {
  const [linked] = await services.db
    .select({ id: botKnowledgeBases.knowledgeBaseId })
    .from(botKnowledgeBases)
    .where(inOrg(botKnowledgeBases, organizationId, eq(botKnowledgeBases.botId, bot.id)))
    .orderBy(asc(botKnowledgeBases.createdAt))
    .limit(1);
  if (linked) return linked.id;
  const created = await createKnowledgeBase(services, organizationId, createdBy, { name: bot.name.slice(0, 200) });
  await services.db.insert(botKnowledgeBases).values({ botId: bot.id, knowledgeBaseId: created.id, organizationId });
  await forgetBot(services, bot.id);
  return created.id;
}

botsTrainRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/train',
    tags: ['Chatbots'],
    summary: 'Teach a bot a file (admin): the upload into its first knowledge base, or a new one linked to it',
    description:
      'The brief\u2019s path. Same file types, size limit and answers as POST /knowledge-bases/{kb_id}/documents/upload: 202 with the `pending` document (its `knowledgeBaseId` says where it went); processing continues in the background.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: {
      headers: OrgHeaderSchema,
      params: BotParamsSchema,
      body: { required: true, content: { 'multipart/form-data': { schema: UploadDocumentSchema } } },
    },
    responses: {
      202: jsonContent(DocumentSchema, 'Stored and queued'),
      409: errorResponse('Same content already uploaded'),
      413: errorResponse('Too large'),
      415: errorResponse('Unsupported or spoofed type'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const services = c.get('services');
    const { organizationId } = c.get('org');
    const principal = c.get('principal');
    const createdBy = principal.kind === 'user' ? principal.userId : null;
    const bot = await findBot(services.db, organizationId, c.req.valid('param').chatbot_id);
    const { file } = c.req.valid('form');
    const kbId = await trainingKnowledgeBase(services, organizationId, bot, createdBy);
    return c.json(await uploadDocument(services, organizationId, kbId, createdBy, file), 202);
  },
);
