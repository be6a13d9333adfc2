import { desc, eq, ilike } from 'drizzle-orm';
import { bots } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { orgProviderKeys } from '../models/org-keys';
import { slugify } from '../orgs/organizations';
import { forgetBot } from './bot-runtime';
import { botExtras, findBot, publicBot, setKnowledgeBases, type BotRow } from './bots';
import { assertWithinLimit } from '../billing/limits';

type BotStatus = BotRow['status'];
type BotDeps = Pick<Services, 'db' | 'kv' | 'config' | 'models'>;

/** The columns a bot's settings write, plus the knowledge bases (a link table, not a column). */
export type BotSettingsInput = Partial<
  Omit<typeof bots.$inferInsert, 'id' | 'organizationId' | 'slug' | 'identitySecretEncrypted' | 'createdBy' | 'deployedAt' | 'createdAt' | 'updatedAt'>
> & { knowledgeBaseIds?: string[] };

/** One bot as the API shows it: its settings with its knowledge bases and conversation count. */
export async function showBot(services: Pick<Services, 'db'>, organizationId: string, botId: string) {
  const bot = await findBot(services.db, organizationId, botId);
  const extras = await botExtras(services.db, organizationId, [bot.id]);
  return publicBot(bot, extras.get(bot.id));
}

/** The organization's bots, newest first, by status and a name search. */
export async function listBots(services: Pick<Services, 'db'>, organizationId: string, filter: { status?: BotStatus; q?: string }) {
  const { db } = services;
  const rows = await db
    .select()
    .from(bots)
    .where(
      inOrg(
        bots,
        organizationId,
        filter.status ? eq(bots.status, filter.status) : undefined,
        filter.q ? ilike(bots.name, `%${filter.q.replace(/[%_\\]/g, '\\$&')}%`) : undefined,
      ),
    )
    .orderBy(desc(bots.createdAt));
  const extras = await botExtras(db, organizationId, rows.map((r) => r.id));
  return rows.map((r) => publicBot(r, extras.get(r.id)));
}

/** A new draft bot; without a model it gets the first usable provider model (else the default). */
export async function createBot(services: BotDeps, organizationId: string, createdBy: string | null, input: BotSettingsInput & { name: string }) {
  await assertWithinLimit(services, organizationId, 'bots');
  const { knowledgeBaseIds, ...columns } = input;
  const keys = await orgProviderKeys(services, organizationId);
  const model = columns.model ?? services.models.list(keys).find((m) => m.available && m.provider !== 'builtin')?.id ?? services.models.defaultModel;
  services.models.resolve(model, keys);
  const [bot] = await services.db
    .insert(bots)
    .values({ ...columns, model, organizationId, slug: `${slugify(columns.name)}-${crypto.randomUUID().slice(0, 6)}`, createdBy })
    .returning();
  if (knowledgeBaseIds?.length) await setKnowledgeBases(services.db, organizationId, bot.id, knowledgeBaseIds);
  return showBot(services, organizationId, bot.id);
}

/** Checks the models can be used, writes the settings, and drops the cached runtime copy. */
export async function updateBot(services: BotDeps, organizationId: string, botId: string, input: BotSettingsInput) {
  await findBot(services.db, organizationId, botId);
  const { knowledgeBaseIds, ...columns } = input;
  if (columns.model || columns.fallbackModel) {
    const keys = await orgProviderKeys(services, organizationId);
    if (columns.model) services.models.resolve(columns.model, keys);
    if (columns.fallbackModel) services.models.resolve(columns.fallbackModel, keys);
  }
  if (Object.keys(columns).length > 0) {
    await services.db.update(bots).set(columns).where(inOrg(bots, organizationId, eq(bots.id, botId)));
  }
  if (knowledgeBaseIds) await setKnowledgeBases(services.db, organizationId, botId, knowledgeBaseIds);
  await forgetBot(services, botId);
  return showBot(services, organizationId, botId);
}

export async function deleteBot(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string) {
  const bot = await findBot(services.db, organizationId, botId);
  await services.db.delete(bots).where(eq(bots.id, bot.id));
  await forgetBot(services, bot.id);
}

/** Puts the bot live; its model must be usable with the organization's keys. */
export async function deployBot(services: BotDeps, organizationId: string, botId: string) {
  const bot = await findBot(services.db, organizationId, botId);
  services.models.resolve(bot.model, await orgProviderKeys(services, bot.organizationId));
  await services.db.update(bots).set({ status: 'active', deployedAt: new Date() }).where(eq(bots.id, bot.id));
  await forgetBot(services, bot.id);
  return showBot(services, organizationId, bot.id);
}
