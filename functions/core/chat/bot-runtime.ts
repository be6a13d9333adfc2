import { eq } from 'drizzle-orm';
import { botKnowledgeBases, botModels, bots, knowledgeBases, organizations, schedules } from '../../../db/schema';
import type { Services } from '../../ports';
import type { ScheduleInterval } from './schedule';
import { loadStoredKeys, type StoredProviderKey } from '../models/stored-keys';
import type { ToolboxModel } from '../models/routing';
import { readEntryFlow, type EntryFlow } from '../flows/entry';
import { privacyOf } from '../privacy/settings';
import type { SearchedKnowledgeBase } from '../retrieval/search';

/**
 * Everything a chat turn needs to know about a bot, read in one go and cached in KV for a minute:
 * the widget's hot path then costs one KV read instead of four SQL queries. Every change to a bot,
 * its schedules, its knowledge bases or its flows calls `forgetBot`.
 */
type BotRow = typeof bots.$inferSelect;

export type BotRuntime = Omit<BotRow, 'createdAt' | 'updatedAt' | 'deployedAt' | 'identitySecretEncrypted'> & {
  hasIdentitySecret: boolean;
  identitySecretEncrypted: string | null;
  knowledgeBases: SearchedKnowledgeBase[];
  schedules: ScheduleInterval[];
  timezone: string;
  /** The organization's stored plan, for the monthly answer limit (core/billing/messages-quota.ts). */
  plan: string;
  /** The organization's own provider keys, still encrypted. */
  providerKeys: StoredProviderKey[];
  /** The bot's models by task (bot_models), which `routing` chooses from per message. */
  toolbox: ToolboxModel[];
  /** The published entry flow that runs every incoming message, or null. */
  entryFlow: EntryFlow | null;
  /** The organization masks personal data in customer messages and prompts (core/privacy). */
  redactPii: boolean;
};

const TTL_SECONDS = 60;
const key = (botId: string) => `bot-runtime:${botId}`;

export async function loadBotRuntime(services: Pick<Services, 'db' | 'kv'>, botId: string): Promise<BotRuntime | null> {
  const cached = await services.kv.get<BotRuntime>(key(botId));
  if (cached) return cached;
  const [row] = await services.db
    .select({ bot: bots, timezone: organizations.timezone, plan: organizations.plan, settings: organizations.settings })
    .from(bots)
    .innerJoin(organizations, eq(organizations.id, bots.organizationId))
    .where(eq(bots.id, botId))
    .limit(1);
  if (!row) return null;
  const [kbs, hours, keys, toolbox, entryFlow] = await Promise.all([
    services.db
      .select({ id: knowledgeBases.id, embeddingModel: knowledgeBases.embeddingModel, vectorGeneration: knowledgeBases.vectorGeneration })
      .from(botKnowledgeBases)
      .innerJoin(knowledgeBases, eq(knowledgeBases.id, botKnowledgeBases.knowledgeBaseId))
      .where(eq(botKnowledgeBases.botId, botId)),
    services.db
      .select({ weekday: schedules.weekday, opensAt: schedules.opensAt, closesAt: schedules.closesAt })
      .from(schedules)
      .where(eq(schedules.botId, botId)),
    loadStoredKeys(services, row.bot.organizationId),
    services.db
      .select({
        provider: botModels.provider,
        modelId: botModels.modelId,
        taskType: botModels.taskType,
        enabled: botModels.enabled,
        costInputPer1M: botModels.costInputPer1M,
        costOutputPer1M: botModels.costOutputPer1M,
      })
      .from(botModels)
      .where(eq(botModels.botId, botId))
      .orderBy(botModels.createdAt),
    readEntryFlow(services.db, botId),
  ]);
  const { createdAt: _c, updatedAt: _u, deployedAt: _d, ...bot } = row.bot;
  const runtime: BotRuntime = {
    ...bot,
    hasIdentitySecret: Boolean(bot.identitySecretEncrypted),
    knowledgeBases: kbs,
    schedules: hours.map((h) => ({ weekday: h.weekday, opensAt: h.opensAt.slice(0, 5), closesAt: h.closesAt.slice(0, 5) })),
    timezone: row.timezone,
    plan: row.plan,
    providerKeys: keys,
    toolbox,
    entryFlow,
    redactPii: privacyOf(row.settings).redaction.enabled,
  };
  await services.kv.set(key(botId), runtime, { ttlSeconds: TTL_SECONDS });
  return runtime;
}

export async function forgetBot(services: Pick<Services, 'kv'>, botId: string) {
  await services.kv.del(key(botId));
}
