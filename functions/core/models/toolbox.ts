import { and, asc, eq } from 'drizzle-orm';
import { botModels, bots, type RoutingConfig } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
import { findBot } from '../chat/bots';
import { orgProviderKeys } from './org-keys';
import type { OrgProviderKey } from './registry';

/** A bot's toolbox of models (seed 003: `POST /bots/{id}/models` with `provider`, `model_id`, `task_type`). */
type BotModelRow = typeof botModels.$inferSelect;

export interface BotModelInput {
  provider: string;
  model_id: string;
  task_type?: string;
  cost_input_per_1m?: number | null;
  cost_output_per_1m?: number | null;
  enabled?: boolean;
}

export type BotModelChange = Partial<Omit<BotModelInput, 'provider' | 'model_id'>>;

/** Whether the registry can call the model with the organization's (or the deployment's) keys. */
function isAvailable(services: Pick<Services, 'models'>, row: Pick<BotModelRow, 'provider' | 'modelId'>, keys: OrgProviderKey[]) {
  try {
    services.models.resolve(`${row.provider}:${row.modelId}`, keys);
    return true;
  } catch {
    return false;
  }
}

function publicBotModel(row: BotModelRow, available: boolean) {
  return {
    id: row.id,
    provider: row.provider,
    model_id: row.modelId,
    model: `${row.provider}:${row.modelId}`,
    task_type: row.taskType,
    cost_input_per_1m: row.costInputPer1M,
    cost_output_per_1m: row.costOutputPer1M,
    enabled: row.enabled,
    available,
    created_at: row.createdAt.toISOString(),
  };
}

export async function listBotModels(services: Pick<Services, 'db' | 'models' | 'config'>, organizationId: string, botId: string) {
  const bot = await findBot(services.db, organizationId, botId);
  const [rows, keys] = await Promise.all([
    services.db.select().from(botModels).where(inOrg(botModels, organizationId, eq(botModels.botId, botId))).orderBy(asc(botModels.createdAt)),
    orgProviderKeys(services, organizationId),
  ]);
  return { data: rows.map((r) => publicBotModel(r, isAvailable(services, r, keys))), routing: bot.routing };
}

function duplicate(): never {
  throw new ApiError('conflict', 'This model already has this task in the toolbox', {
    details: [{ path: 'model_id', message: 'Already in the toolbox for this task', code: 'duplicate' }],
  });
}

async function assertNotListed(services: Pick<Services, 'db'>, botId: string, row: Pick<BotModelRow, 'provider' | 'modelId' | 'taskType'>, exceptId?: string) {
  const [existing] = await services.db
    .select({ id: botModels.id })
    .from(botModels)
    .where(and(eq(botModels.botId, botId), eq(botModels.provider, row.provider), eq(botModels.modelId, row.modelId), eq(botModels.taskType, row.taskType)));
  if (existing && existing.id !== exceptId) duplicate();
}

export async function addBotModel(services: Pick<Services, 'db' | 'kv' | 'models' | 'config'>, organizationId: string, botId: string, input: BotModelInput) {
  const bot = await findBot(services.db, organizationId, botId);
  const values = {
    organizationId,
    botId: bot.id,
    provider: input.provider,
    modelId: input.model_id,
    taskType: input.task_type ?? 'general',
    costInputPer1M: input.cost_input_per_1m ?? null,
    costOutputPer1M: input.cost_output_per_1m ?? null,
    enabled: input.enabled ?? true,
  };
  await assertNotListed(services, bot.id, values);
  const [row] = await services.db.insert(botModels).values(values).returning();
  await forgetBot(services, bot.id);
  return publicBotModel(row, isAvailable(services, row, await orgProviderKeys(services, organizationId)));
}

export async function changeBotModel(
  services: Pick<Services, 'db' | 'kv' | 'models' | 'config'>,
  organizationId: string,
  botId: string,
  modelEntryId: string,
  change: BotModelChange,
) {
  const [current] = await services.db.select().from(botModels).where(inOrg(botModels, organizationId, and(eq(botModels.botId, botId), eq(botModels.id, modelEntryId))));
  if (!current) throw new ApiError('not_found', 'Model not found in this chatbot\u2019s toolbox');
  const set = {
    ...(change.task_type !== undefined ? { taskType: change.task_type } : {}),
    ...(change.cost_input_per_1m !== undefined ? { costInputPer1M: change.cost_input_per_1m } : {}),
    ...(change.cost_output_per_1m !== undefined ? { costOutputPer1M: change.cost_output_per_1m } : {}),
    ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
    updatedAt: new Date(),
  };
  if (set.taskType && set.taskType !== current.taskType) await assertNotListed(services, botId, { ...current, taskType: set.taskType }, current.id);
  const [row] = await services.db.update(botModels).set(set).where(eq(botModels.id, current.id)).returning();
  await forgetBot(services, botId);
  return publicBotModel(row, isAvailable(services, row, await orgProviderKeys(services, organizationId)));
}

export async function removeBotModel(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, modelEntryId: string) {
  const deleted = await services.db
    .delete(botModels)
    .where(inOrg(botModels, organizationId, and(eq(botModels.botId, botId), eq(botModels.id, modelEntryId))))
    .returning({ id: botModels.id });
  if (deleted.length === 0) throw new ApiError('not_found', 'Model not found in this chatbot\u2019s toolbox');
  await forgetBot(services, botId);
}

export async function setRouting(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, routing: RoutingConfig) {
  const bot = await findBot(services.db, organizationId, botId);
  const [row] = await services.db.update(bots).set({ routing, updatedAt: new Date() }).where(eq(bots.id, bot.id)).returning({ routing: bots.routing });
  await forgetBot(services, bot.id);
  return row.routing;
}
