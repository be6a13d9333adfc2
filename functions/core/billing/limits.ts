import { eq, sql } from 'drizzle-orm';
import { organizations } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { rowsOf } from '../../lib/sql';
import type { Database, Services } from '../../ports';
import { effectivePlan, limitOf, type LimitName, type PlanId } from './plans';

/**
 * The limits checked where the work happens (a new bot, an invitation, an upload, a connected
 * channel, a flow): one indexed count against the organization's plan. The messages of the month
 * are not here: they are a KV counter on the chat path (messages-quota.ts).
 */
export type CountedLimit = Exclude<LimitName, 'messagesPerMonth'>;

/** What each counted limit holds now, in one statement (every table is filtered by organization_id). */
export async function countedUsage(db: Database, organizationId: string): Promise<Record<CountedLimit, number>> {
  const [row = {}] = await rowsOf(
    db,
    sql`
    select
      (select count(*) from bots where organization_id = ${organizationId} and status <> 'archived') as bots,
      (select count(*) from memberships where organization_id = ${organizationId})
        + (select count(*) from invitations where organization_id = ${organizationId} and accepted_at is null and revoked_at is null and expires_at > now()) as members,
      (select coalesce(sum(size_bytes), 0) from documents where organization_id = ${organizationId}) as storage_bytes,
      (select count(*) from channels where organization_id = ${organizationId} and status = 'connected') as channels,
      (select count(*) from flows where organization_id = ${organizationId}) as flows
  `,
  );
  const n = (key: string) => Number(row[key] ?? 0);
  return { bots: n('bots'), members: n('members'), storageBytes: n('storage_bytes'), channels: n('channels'), flows: n('flows') };
}

/** One counted limit's usage (the statement above costs about the same as any single count). */
async function usageOf(db: Database, organizationId: string, name: CountedLimit): Promise<number> {
  return (await countedUsage(db, organizationId))[name];
}

export async function planOf(services: Pick<Services, 'db' | 'config'>, organizationId: string): Promise<PlanId> {
  const [org] = await services.db.select({ plan: organizations.plan }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return effectivePlan(services.config, org?.plan ?? 'free');
}

export function planLimitError(plan: PlanId, name: LimitName, usage: number, limit: number) {
  return new ApiError('plan_limit_reached', `Your ${plan} plan allows ${limit} ${LIMIT_WORDS[name]}; upgrade to add more`, {
    details: { limitName: name, usage, limit, plan },
  });
}

const LIMIT_WORDS: Record<LimitName, string> = {
  bots: 'chatbots',
  members: 'members (invitations included)',
  messagesPerMonth: 'bot answers a month',
  storageBytes: 'bytes of knowledge',
  channels: 'connected channels',
  flows: 'flows',
};

/**
 * Refuses the action when it would take the organization past its plan's limit: `adding` more
 * of `name` (1 bot, the upload's bytes…). `already` counts something the usage includes but the
 * action does not add again (re-connecting a channel that is already connected, re-publishing).
 */
export async function assertWithinLimit(
  services: Pick<Services, 'db' | 'config'>,
  organizationId: string,
  name: CountedLimit,
  adding = 1,
  options: { alreadyCounted?: boolean } = {},
) {
  const plan = await planOf(services, organizationId);
  const limit = limitOf(plan, name);
  if (limit === null || options.alreadyCounted) return;
  const usage = await usageOf(services.db, organizationId, name);
  if (usage + adding > limit) throw planLimitError(plan, name, usage, limit);
}
