import { asc, eq } from 'drizzle-orm';
import { organizations, schedules } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { forgetBot } from './bot-runtime';
import { findBot } from './bots';

export interface ScheduleInput {
  weekday: number;
  opensAt: string;
  closesAt: string;
}

/** Times are stored as SQL `time` (HH:MM:SS); the API speaks HH:MM. */
function publicSchedule(row: typeof schedules.$inferSelect) {
  return { id: row.id, weekday: row.weekday, opensAt: row.opensAt.slice(0, 5), closesAt: row.closesAt.slice(0, 5) };
}

/** The bot's opening intervals with the organization's timezone they are in. */
export async function listSchedules(services: Pick<Services, 'db'>, organizationId: string, botId: string) {
  const { db } = services;
  await findBot(db, organizationId, botId);
  const [rows, [org]] = await Promise.all([
    db.select().from(schedules).where(inOrg(schedules, organizationId, eq(schedules.botId, botId))).orderBy(asc(schedules.weekday), asc(schedules.opensAt)),
    db.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, organizationId)),
  ]);
  return { data: rows.map(publicSchedule), timezone: org.timezone };
}

export async function addSchedule(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, input: ScheduleInput) {
  const bot = await findBot(services.db, organizationId, botId);
  const [row] = await services.db.insert(schedules).values({ ...input, botId: bot.id, organizationId: bot.organizationId }).returning();
  await forgetBot(services, bot.id);
  return publicSchedule(row);
}

export async function changeSchedule(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, scheduleId: string, input: ScheduleInput) {
  const [row] = await services.db
    .update(schedules)
    .set(input)
    .where(inOrg(schedules, organizationId, eq(schedules.id, scheduleId), eq(schedules.botId, botId)))
    .returning();
  if (!row) throw new ApiError('not_found', 'Schedule not found');
  await forgetBot(services, botId);
  return publicSchedule(row);
}

export async function removeSchedule(services: Pick<Services, 'db' | 'kv'>, organizationId: string, botId: string, scheduleId: string) {
  const deleted = await services.db
    .delete(schedules)
    .where(inOrg(schedules, organizationId, eq(schedules.id, scheduleId), eq(schedules.botId, botId)))
    .returning({ id: schedules.id });
  if (deleted.length === 0) throw new ApiError('not_found', 'Schedule not found');
  await forgetBot(services, botId);
}
