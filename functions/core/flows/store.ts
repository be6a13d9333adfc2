import { and, asc, desc, eq, max, ne, sql } from 'drizzle-orm';
import { flows, flowVersions, type FlowRow, type FlowVersionRow } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
import type { EntryFlow } from './entry';
import { findBot } from '../chat/bots';
import { emptyFlow, type FlowDocument } from './schema';
import { secretNames } from './secrets';
import { templateDocument, type TemplateId } from './templates';
import { hasErrors, validateFlow } from './validate';
import { assertWithinLimit } from '../billing/limits';

/**
 * A bot's flows: the draft the editor autosaves (with a revision so a stale tab gets 409), the
 * versions publishing freezes, and the published entry flow the chat turn runs (cached in KV
 * for a minute like the bot itself, forgotten on every publish or change).
 */
export function publicFlow(row: FlowRow) {
  return {
    id: row.id,
    botId: row.botId,
    name: row.name,
    description: row.description,
    isEntry: row.isEntry,
    draft: row.draft,
    draftRevision: row.draftRevision,
    publishedVersion: row.publishedVersion,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function publicVersion(row: FlowVersionRow) {
  return { flowId: row.flowId, version: row.version, document: row.document, publishedBy: row.publishedBy, publishedAt: row.publishedAt.toISOString() };
}

/** A published version of one of the bot's flows (goto_flow), or null. */
export async function loadPublishedFlow(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string): Promise<EntryFlow | null> {
  const [row] = await services.db
    .select({ flowId: flows.id, version: flowVersions.version, document: flowVersions.document })
    .from(flows)
    .innerJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.publishedVersion)))
    .where(inOrg(flows, organizationId, eq(flows.botId, botId), eq(flows.id, flowId)))
    .limit(1);
  return row ?? null;
}

export async function loadVersion(services: Pick<Services, 'db'>, organizationId: string, flowId: string, version: number) {
  const [row] = await services.db.select().from(flowVersions).where(inOrg(flowVersions, organizationId, eq(flowVersions.flowId, flowId), eq(flowVersions.version, version))).limit(1);
  return row ?? null;
}

export async function findFlow(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string): Promise<FlowRow> {
  const [row] = await services.db.select().from(flows).where(inOrg(flows, organizationId, eq(flows.botId, botId), eq(flows.id, flowId))).limit(1);
  if (!row) throw new ApiError('not_found', 'Flow not found');
  return row;
}

export async function listFlows(services: Pick<Services, 'db'>, organizationId: string, botId: string) {
  await findBot(services.db, organizationId, botId);
  const rows = await services.db.select().from(flows).where(inOrg(flows, organizationId, eq(flows.botId, botId))).orderBy(asc(flows.createdAt));
  return rows.map(publicFlow);
}

export async function createFlow(
  services: Pick<Services, 'db' | 'kv' | 'config'>,
  organizationId: string,
  botId: string,
  input: { name: string; description?: string; template?: TemplateId; document?: FlowDocument },
) {
  const bot = await findBot(services.db, organizationId, botId);
  await assertWithinLimit(services, organizationId, 'flows');
  const draft = input.document ?? (input.template ? templateDocument(input.template, bot.language) : emptyFlow());
  // The bot's first flow is its entry flow: nothing runs until it is published anyway.
  const [existing] = await services.db.select({ id: flows.id }).from(flows).where(inOrg(flows, organizationId, eq(flows.botId, botId), eq(flows.isEntry, true))).limit(1);
  const [row] = await services.db
    .insert(flows)
    .values({ organizationId, botId, name: input.name, description: input.description ?? '', draft, isEntry: !existing })
    .returning();
  return publicFlow(row!);
}

export async function updateFlow(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, flowId: string, input: { name?: string; description?: string; isEntry?: boolean }) {
  await findFlow(services, organizationId, botId, flowId);
  const row = await services.db.transaction(async (tx) => {
    if (input.isEntry) await tx.update(flows).set({ isEntry: false }).where(inOrg(flows, organizationId, eq(flows.botId, botId), ne(flows.id, flowId)));
    const [updated] = await tx
      .update(flows)
      .set({ ...(input.name !== undefined ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}), ...(input.isEntry !== undefined ? { isEntry: input.isEntry } : {}) })
      .where(inOrg(flows, organizationId, eq(flows.id, flowId)))
      .returning();
    return updated!;
  });
  await forgetBot(services, botId);
  return publicFlow(row);
}

/** Autosave: replaces the draft; a stale `baseRevision` (another tab saved since) is a 409. */
export async function saveDraft(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string, document: FlowDocument, baseRevision?: number) {
  const current = await findFlow(services, organizationId, botId, flowId);
  const [row] = await services.db
    .update(flows)
    .set({ draft: document, draftRevision: sql`${flows.draftRevision} + 1` })
    .where(inOrg(flows, organizationId, eq(flows.id, flowId), baseRevision === undefined ? undefined : eq(flows.draftRevision, baseRevision)))
    .returning();
  if (!row) {
    throw new ApiError('conflict', 'The flow was saved elsewhere since this copy was loaded; reload it', { details: { draftRevision: current.draftRevision } });
  }
  return publicFlow(row);
}

export async function deleteFlow(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, flowId: string) {
  await findFlow(services, organizationId, botId, flowId);
  await services.db.delete(flows).where(inOrg(flows, organizationId, eq(flows.id, flowId)));
  await forgetBot(services, botId);
}

/** The issues of a document in the context of its organization (secrets) and bot (other flows). */
export async function validateInContext(services: Pick<Services, 'db'>, organizationId: string, botId: string, document: FlowDocument) {
  const [secrets, botFlows] = await Promise.all([
    secretNames(services, organizationId),
    services.db.select({ id: flows.id }).from(flows).where(inOrg(flows, organizationId, eq(flows.botId, botId))),
  ]);
  return validateFlow(document, { secrets, flows: botFlows.map((f) => f.id) });
}

/** Freezes the draft as the next version; refused (422 `flow_invalid`) when it has errors. */
export async function publishFlow(services: Pick<Services, 'db' | 'kv' | 'config'>, organizationId: string, botId: string, flowId: string, userId: string | null) {
  const flow = await findFlow(services, organizationId, botId, flowId);
  // Publishing adds no flow, but after a downgrade an organization over its limit publishes nothing new.
  await assertWithinLimit(services, organizationId, 'flows', 0);
  const issues = await validateInContext(services, organizationId, botId, flow.draft);
  if (hasErrors(issues)) {
    const first = issues.find((i) => i.severity === 'error')!;
    throw new ApiError('flow_invalid', `The flow cannot be published: ${first.message}`, { details: { issues } });
  }
  const version = await services.db.transaction(async (tx) => {
    const [last] = await tx.select({ v: max(flowVersions.version) }).from(flowVersions).where(eq(flowVersions.flowId, flowId));
    const next = (last?.v ?? 0) + 1;
    const [row] = await tx.insert(flowVersions).values({ organizationId, flowId, version: next, document: flow.draft, publishedBy: userId }).returning();
    await tx.update(flows).set({ publishedVersion: next }).where(eq(flows.id, flowId));
    return row!;
  });
  await forgetBot(services, botId);
  return publicVersion(version);
}

export async function listVersions(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string) {
  await findFlow(services, organizationId, botId, flowId);
  const rows = await services.db
    .select({ version: flowVersions.version, publishedAt: flowVersions.publishedAt, publishedBy: flowVersions.publishedBy })
    .from(flowVersions)
    .where(inOrg(flowVersions, organizationId, eq(flowVersions.flowId, flowId)))
    .orderBy(desc(flowVersions.version));
  return rows.map((r) => ({ version: r.version, publishedAt: r.publishedAt.toISOString(), publishedBy: r.publishedBy }));
}

export async function getVersion(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string, version: number) {
  await findFlow(services, organizationId, botId, flowId);
  const row = await loadVersion(services, organizationId, flowId, version);
  if (!row) throw new ApiError('not_found', 'Version not found');
  return publicVersion(row);
}

/** Copies a published version into the draft (publishing it again makes it live). */
export async function restoreVersion(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string, version: number) {
  await findFlow(services, organizationId, botId, flowId);
  const row = await loadVersion(services, organizationId, flowId, version);
  if (!row) throw new ApiError('not_found', 'Version not found');
  const [updated] = await services.db
    .update(flows)
    .set({ draft: row.document, draftRevision: sql`${flows.draftRevision} + 1` })
    .where(inOrg(flows, organizationId, eq(flows.id, flowId)))
    .returning();
  return publicFlow(updated!);
}
