import { and, count, eq, inArray } from 'drizzle-orm';
import { botKnowledgeBases, bots, conversations, knowledgeBases } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';
import { customerConversation } from '../conversations/counted';

export type BotRow = typeof bots.$inferSelect;

export async function findBot(db: Database, organizationId: string, id: string): Promise<BotRow> {
  const [row] = await db.select().from(bots).where(inOrg(bots, organizationId, eq(bots.id, id))).limit(1);
  if (!row) throw new ApiError('not_found', 'Chatbot not found');
  return row;
}

/** Knowledge bases and conversation counts for a set of bots, in two queries. */
export async function botExtras(db: Database, organizationId: string, ids: string[]) {
  const extras = new Map(ids.map((id) => [id, { knowledgeBaseIds: [] as string[], conversationCount: 0 }]));
  if (ids.length === 0) return extras;
  const [links, counts] = await Promise.all([
    db.select({ botId: botKnowledgeBases.botId, kb: botKnowledgeBases.knowledgeBaseId }).from(botKnowledgeBases).where(inOrg(botKnowledgeBases, organizationId, inArray(botKnowledgeBases.botId, ids))),
    db
      .select({ botId: conversations.botId, n: count() })
      .from(conversations)
      .where(inOrg(conversations, organizationId, inArray(conversations.botId, ids), customerConversation()))
      .groupBy(conversations.botId),
  ]);
  for (const link of links) extras.get(link.botId)!.knowledgeBaseIds.push(link.kb);
  for (const c of counts) extras.get(c.botId)!.conversationCount = c.n;
  return extras;
}

export function publicBot(bot: BotRow, extra = { knowledgeBaseIds: [] as string[], conversationCount: 0 }) {
  const { identitySecretEncrypted: _secret, organizationId: _org, createdBy: _by, ...rest } = bot;
  return {
    ...rest,
    ...extra,
    createdAt: bot.createdAt.toISOString(),
    updatedAt: bot.updatedAt.toISOString(),
    deployedAt: bot.deployedAt?.toISOString() ?? null,
  };
}

/** Replaces the bot's knowledge bases; every id must be one of the organization's. */
export async function setKnowledgeBases(db: Database, organizationId: string, botId: string, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length > 0) {
    const found = await db.select({ id: knowledgeBases.id }).from(knowledgeBases).where(inOrg(knowledgeBases, organizationId, inArray(knowledgeBases.id, unique)));
    if (found.length !== unique.length) {
      throw new ApiError('validation_failed', 'Some knowledge bases do not exist in this organization', {
        details: [{ path: 'knowledgeBaseIds', message: 'Unknown knowledge base', code: 'custom' }],
      });
    }
  }
  await db.transaction(async (tx) => {
    await tx.delete(botKnowledgeBases).where(and(eq(botKnowledgeBases.botId, botId), eq(botKnowledgeBases.organizationId, organizationId)));
    if (unique.length) await tx.insert(botKnowledgeBases).values(unique.map((kb) => ({ botId, knowledgeBaseId: kb, organizationId })));
  });
}
