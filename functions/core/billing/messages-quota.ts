import { and, eq } from 'drizzle-orm';
import { memberships, organizations, users } from '../../../db/schema';
import type { KV, Services } from '../../ports';
import { enqueueMail } from '../jobs/queue';
import { usageMail } from './mail';
import { effectivePlan, limitOf, type PlanId } from './plans';

/**
 * Bot answers per organization per calendar month (UTC), counted in KV on the chat path: one
 * INCR that rides in the turn's KV pipeline, against the plan already in the cached bot runtime,
 * so the check costs no SQL. Past the limit the visitor is never dropped: the engine answers with
 * "we'll get back to you" and hands the conversation to the inbox (engine.ts).
 */
const COUNTER_TTL_SECONDS = 40 * 24 * 60 * 60;
const WARN_SHARE = 0.8;

export function monthOf(at: Date) {
  return at.toISOString().slice(0, 7);
}

export function messagesCounterKey(organizationId: string, at = new Date()) {
  return `usage:answers:${organizationId}:${monthOf(at)}`;
}

/** The first instant of the next month (UTC): when the counter starts again. */
export function monthlyResetAt(at = new Date()) {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export function monthStart(at = new Date()) {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export async function answersThisMonth(kv: KV, organizationId: string, at = new Date()): Promise<number> {
  return Number((await kv.get<number>(messagesCounterKey(organizationId, at))) ?? 0);
}

export interface AnswerQuota {
  /** False past the plan's monthly answers: the bot does not answer, a person will. */
  allowed: boolean;
  used: number;
  limit: number | null;
}

const UNLIMITED: AnswerQuota = { allowed: true, used: 0, limit: null };

/**
 * Counts one bot answer. An unlimited plan costs nothing (no KV call). Crossing 80% and 100%
 * mails the owners: INCR is atomic, so exactly one turn sees each threshold's count, once a month.
 */
export async function countBotAnswer(services: Services, organizationId: string, storedPlan: string | undefined, at = new Date()): Promise<AnswerQuota> {
  const plan = effectivePlan(services.config, storedPlan ?? 'free');
  const limit = limitOf(plan, 'messagesPerMonth');
  if (limit === null) return UNLIMITED;
  const used = await services.kv.incr(messagesCounterKey(organizationId, at), { ttlSeconds: COUNTER_TTL_SECONDS });
  const threshold = used === limit ? 100 : used === Math.ceil(limit * WARN_SHARE) ? 80 : null;
  if (threshold) services.waitUntil(mailOwners(services, organizationId, plan, threshold, used, limit).catch((error) => console.error('[usage mail]', error)));
  return { allowed: used <= limit, used, limit };
}

async function mailOwners(services: Services, organizationId: string, plan: PlanId, threshold: 80 | 100, used: number, limit: number) {
  const owners = await services.db
    .select({ email: users.email, locale: users.locale, name: users.name, orgName: organizations.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, 'owner')));
  const link = `${services.config.APP_URL}/settings/plan`;
  for (const owner of owners) {
    await enqueueMail(services, usageMail(threshold, owner.locale, owner.email, { name: owner.name, org: owner.orgName, plan, used: String(used), limit: String(limit), link }));
  }
}
