import { and, eq, gte, lte, sql } from 'drizzle-orm';
import { flowNodeCounts, flowSessions } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { findFlow } from './store';

/**
 * Per-node analytics of a flow: how many conversations reached each node (daily counters), how
 * many stopped there (waiting at that node for longer than the abandon window), and how flows
 * ended (completed, handed off, abandoned: waiting too long or stopped by a guard).
 */
const ABANDONED_AFTER_MINUTES = 30;
const DAY_MS = 86_400_000;

export async function flowAnalytics(services: Pick<Services, 'db'>, organizationId: string, botId: string, flowId: string, range: { from?: string; to?: string }, now = new Date()) {
  await findFlow(services, organizationId, botId, flowId);
  const to = range.to ?? now.toISOString().slice(0, 10);
  const from = range.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
  const fromTs = new Date(`${from}T00:00:00Z`);
  const toTs = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS);
  const stale = sql`${flowSessions.updatedAt} < now() - make_interval(mins => ${ABANDONED_AFTER_MINUTES})`;
  const inRange = and(gte(flowSessions.updatedAt, fromTs), sql`${flowSessions.updatedAt} < ${toTs.toISOString()}::timestamptz`);

  const [reached, dropped, outcomes] = await Promise.all([
    services.db
      .select({ nodeId: flowNodeCounts.nodeId, n: sql<number>`sum(${flowNodeCounts.reached})::int` })
      .from(flowNodeCounts)
      .where(inOrg(flowNodeCounts, organizationId, eq(flowNodeCounts.flowId, flowId), gte(flowNodeCounts.day, from), lte(flowNodeCounts.day, to)))
      .groupBy(flowNodeCounts.nodeId),
    services.db
      .select({ nodeId: sql<string>`${flowSessions.state}->'waiting'->>'nodeId'`, n: sql<number>`count(*)::int` })
      .from(flowSessions)
      .where(inOrg(flowSessions, organizationId, eq(flowSessions.flowId, flowId), eq(flowSessions.status, 'waiting'), stale, inRange))
      .groupBy(sql`1`),
    services.db
      .select({
        completed: sql<number>`count(*) filter (where ${flowSessions.status} = 'completed')::int`,
        handedOff: sql<number>`count(*) filter (where ${flowSessions.status} = 'handed_off')::int`,
        abandoned: sql<number>`count(*) filter (where ${flowSessions.status} = 'stopped' or (${flowSessions.status} in ('waiting', 'running') and ${stale}))::int`,
      })
      .from(flowSessions)
      .where(inOrg(flowSessions, organizationId, eq(flowSessions.flowId, flowId), inRange)),
  ]);
  const droppedBy = new Map(dropped.map((d) => [d.nodeId, d.n]));
  const nodeIds = new Set([...reached.map((r) => r.nodeId), ...droppedBy.keys()]);
  const reachedBy = new Map(reached.map((r) => [r.nodeId, r.n]));
  return {
    nodes: [...nodeIds].filter(Boolean).map((nodeId) => ({ nodeId, reached: reachedBy.get(nodeId) ?? 0, droppedOff: droppedBy.get(nodeId) ?? 0 })),
    outcomes: outcomes[0] ?? { completed: 0, handedOff: 0, abandoned: 0 },
  };
}
