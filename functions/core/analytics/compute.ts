import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../ports';
import { costOf } from './costs';
import { customerConversationSql } from '../conversations/counted';
import { addDays } from './dates';
import { emptyRow, LATENCY_BUCKETS_MS, OPEN_BUCKET, type Channel, type MetricRow } from './metrics';

/**
 * Metrics straight from conversations and messages, per bot, channel and local day: what the
 * daily roll-up stores, and what range queries use for the days not rolled up yet (today).
 * One statement, one round trip; its parts come back as JSON so counts never arrive as
 * bigint strings.
 */
export interface MetricScope {
  organizationId: string;
  timeZone: string;
  /** Local days, both included. */
  from: string;
  to: string;
  botIds?: string[];
  channels?: Channel[];
}

/**
 * An answer that could not come from the knowledge base: the fallback message, or a model answer
 * with no passage above the threshold. Fixed replies (out of hours, `auto` bots) have no model and
 * are not gaps; failed model calls count as failed answers instead.
 */
export function knowledgeGapCondition(alias?: string) {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return sql.raw(
    `${col('role')} = 'assistant' and ${col('error')} is null and (${col('is_fallback')} or (${col('model')} is not null and ${col('sources')} = '[]'::jsonb))`,
  );
}

/** Instant where local day `day` starts in `timeZone` (Postgres applies the zone's rules). */
export const localMidnight = (day: string, timeZone: string) => sql`((${day}::date)::timestamp at time zone ${timeZone})`;

// A date cast, not to_char: it runs once per message and to_char is several times slower.
const localDay = (column: SQL, timeZone: string) => sql`(${column} at time zone ${timeZone})::date`;

/** The histogram bucket of a bot answer time: the first upper bound it fits under, else the open one. */
export function latencyBucketOf(ms: number): string {
  for (const bound of LATENCY_BUCKETS_MS) if (ms <= bound) return String(bound);
  return OPEN_BUCKET;
}

/** Per-conversation counts that add up to the bot/channel/day row. */
const SUMMED = [
  'messages',
  'user_messages',
  'bot_messages',
  'agent_messages',
  'failed_answers',
  'knowledge_gaps',
  'bot_response_count',
  'bot_response_ms_sum',
  'first_token_count',
  'first_token_ms_sum',
  'thumbs_up',
  'thumbs_down',
];

/** The scope's bots and channels, on top of the one rule of which conversations count (no playground). */
export function conversationFilters(scope: MetricScope): SQL {
  const parts: SQL[] = [sql`and ${customerConversationSql('c')}`];
  if (scope.botIds?.length) parts.push(sql`and c.bot_id in (${sql.join(scope.botIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
  if (scope.channels?.length) parts.push(sql`and c.channel in (${sql.join(scope.channels.map((ch) => sql`${ch}::channel_kind`), sql`, `)})`);
  return sql.join(parts, sql` `);
}

type Raw = Record<string, unknown> & { bot_id: string; channel: Channel; day: string };

interface RawParts {
  conversations: Raw[];
  messages: Raw[];
  models: Raw[];
  human: Raw[];
}

function metricsQuery(scope: MetricScope): SQL {
  const { organizationId: org, timeZone: tz } = scope;
  const start = localMidnight(scope.from, tz);
  const end = localMidnight(addDays(scope.to, 1), tz);
  const filters = conversationFilters(scope);
  return sql`
    with
    conv as (
      select c.bot_id, c.channel, ${localDay(sql`c.created_at`, tz)} as day,
        count(*) as conversations,
        count(*) filter (where c.status in ('resolved', 'closed')) as resolved_conversations,
        count(*) filter (where c.status in ('resolved', 'closed') and c.handed_off_at is null) as bot_resolved,
        count(c.handed_off_at) as handoffs,
        count(c.first_response_at) as first_response_count,
        coalesce(sum(extract(epoch from c.first_response_at - c.created_at) * 1000), 0) as first_response_ms_sum,
        count(c.rating) as ratings_count,
        coalesce(sum(c.rating), 0) as ratings_sum,
        count(*) filter (where c.rating = 1) as r1,
        count(*) filter (where c.rating = 2) as r2,
        count(*) filter (where c.rating = 3) as r3,
        count(*) filter (where c.rating = 4) as r4,
        count(*) filter (where c.rating = 5) as r5
      from conversations c
      where c.organization_id = ${org} and c.created_at >= ${start} and c.created_at < ${end} ${filters}
      group by 1, 2, 3
    ),
    -- Messages are folded per conversation, day and model first (about two rows per conversation),
    -- and only those rows look up their conversation's bot, channel and contact: a fraction of the
    -- index probes that joining every message would cost.
    per_conversation as (
      select m.conversation_id, ${localDay(sql`m.created_at`, tz)} as day,
        case when m.role = 'assistant' then m.model end as model,
        count(*) as messages,
        count(*) filter (where m.role = 'user') as user_messages,
        count(*) filter (where m.role = 'assistant') as bot_messages,
        count(*) filter (where m.role = 'agent') as agent_messages,
        count(*) filter (where m.role = 'assistant' and m.error is not null) as failed_answers,
        count(*) filter (where ${knowledgeGapCondition('m')}) as knowledge_gaps,
        count(m.latency_ms) filter (where m.role = 'assistant') as bot_response_count,
        coalesce(sum(m.latency_ms) filter (where m.role = 'assistant'), 0) as bot_response_ms_sum,
        -- Fixed and extractive replies carry no real first-token time; only model answers do.
        count(m.time_to_first_token_ms) filter (where m.role = 'assistant' and m.model not like 'builtin:%') as first_token_count,
        coalesce(sum(m.time_to_first_token_ms) filter (where m.role = 'assistant' and m.model not like 'builtin:%'), 0) as first_token_ms_sum,
        count(*) filter (where m.role = 'assistant' and m.feedback = 1) as thumbs_up,
        count(*) filter (where m.role = 'assistant' and m.feedback = -1) as thumbs_down,
        coalesce(sum(m.input_tokens) filter (where m.role = 'assistant'), 0) as input_tokens,
        coalesce(sum(m.output_tokens) filter (where m.role = 'assistant'), 0) as output_tokens,
        -- The answer times themselves, bucketed in code: one aggregate instead of one per bucket.
        array_agg(m.latency_ms) filter (where m.role = 'assistant' and m.latency_ms is not null) as latencies
      from messages m
      where m.organization_id = ${org} and m.created_at >= ${start} and m.created_at < ${end}
        and m.role in ('user', 'assistant', 'agent')
      group by 1, 2, 3
    ),
    msg as materialized (
      select c.bot_id, c.channel, c.contact_id, p.*
      from per_conversation p
      join conversations c on c.id = p.conversation_id
      where c.organization_id = ${org} ${filters}
    ),
    msg_agg as (
      select bot_id, channel, day,
        ${sql.raw(SUMMED.map((column) => `sum(${column}) as ${column}`).join(', '))},
        count(distinct contact_id) filter (where user_messages > 0) as unique_contacts,
        json_agg(latencies) filter (where latencies is not null) as latencies
      from msg
      group by 1, 2, 3
    ),
    model_agg as (
      select bot_id, channel, day, model, sum(bot_messages) as messages, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens
      from msg
      where model is not null
      group by 1, 2, 3, 4
    ),
    agent_replies as (
      select a.conversation_id, a.created_at,
        lag(a.created_at) over (partition by a.conversation_id order by a.created_at, a.id) as previous_reply_at
      from messages a
      where a.conversation_id in (select conversation_id from msg where agent_messages > 0)
        and a.role = 'agent' and a.created_at < ${end}
    ),
    human_agg as (
      -- A person's response time runs from the first message they had not answered yet (or from
      -- the handoff, when the bot was still answering before it) to their reply.
      select c.bot_id, c.channel, ${localDay(sql`r.created_at`, tz)} as day,
        count(*) as human_response_count,
        sum(greatest(0, extract(epoch from r.created_at - greatest(w.first_unanswered, coalesce(c.handed_off_at, w.first_unanswered))) * 1000)) as human_response_ms_sum
      from agent_replies r
      join conversations c on c.id = r.conversation_id
      cross join lateral (
        select min(u.created_at) as first_unanswered
        from messages u
        where u.conversation_id = r.conversation_id and u.role = 'user' and u.created_at < r.created_at
          and (r.previous_reply_at is null or u.created_at > r.previous_reply_at)
      ) w
      where r.created_at >= ${start} and w.first_unanswered is not null
      group by 1, 2, 3
    )
    select json_build_object(
      'conversations', (select coalesce(json_agg(conv), '[]'::json) from conv),
      'messages', (select coalesce(json_agg(msg_agg), '[]'::json) from msg_agg),
      'models', (select coalesce(json_agg(model_agg), '[]'::json) from model_agg),
      'human', (select coalesce(json_agg(human_agg), '[]'::json) from human_agg)
    ) as result`;
}

/** Raw SQL answer -> rows; PGlite and Neon both return `rows`, json either parsed or as text. */
async function runJson<T>(db: Database, query: SQL): Promise<T> {
  const result = (await db.execute(query)) as unknown as { rows: Array<{ result: unknown }> };
  const value = result.rows[0]?.result;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

const n = (value: unknown) => Number(value ?? 0);

/** Live metrics for the scope, one row per bot, channel and local day with any activity. */
export async function computeMetricRows(db: Database, scope: MetricScope): Promise<MetricRow[]> {
  const parts = await runJson<RawParts>(db, metricsQuery(scope));
  const rows = new Map<string, MetricRow>();
  const rowFor = (raw: Raw) => {
    const key = `${raw.bot_id}|${raw.channel}|${raw.day}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyRow(raw.bot_id, raw.channel, raw.day)));
    return row;
  };

  for (const raw of parts.conversations) {
    const row = rowFor(raw);
    row.conversations = n(raw.conversations);
    row.resolvedConversations = n(raw.resolved_conversations);
    row.botResolved = n(raw.bot_resolved);
    row.handoffs = n(raw.handoffs);
    row.firstResponseCount = n(raw.first_response_count);
    row.firstResponseMsSum = n(raw.first_response_ms_sum);
    row.ratingsCount = n(raw.ratings_count);
    row.ratingsSum = n(raw.ratings_sum);
    for (const star of [1, 2, 3, 4, 5]) {
      const count = n(raw[`r${star}`]);
      if (count > 0) row.ratingDistribution[String(star)] = count;
    }
  }
  for (const raw of parts.messages) {
    const row = rowFor(raw);
    row.messages = n(raw.messages);
    row.userMessages = n(raw.user_messages);
    row.botMessages = n(raw.bot_messages);
    row.agentMessages = n(raw.agent_messages);
    row.failedAnswers = n(raw.failed_answers);
    row.knowledgeGaps = n(raw.knowledge_gaps);
    row.botResponseCount = n(raw.bot_response_count);
    row.botResponseMsSum = n(raw.bot_response_ms_sum);
    row.firstTokenCount = n(raw.first_token_count);
    row.firstTokenMsSum = n(raw.first_token_ms_sum);
    row.thumbsUp = n(raw.thumbs_up);
    row.thumbsDown = n(raw.thumbs_down);
    row.uniqueContacts = n(raw.unique_contacts);
    for (const list of (raw.latencies as number[][] | null) ?? []) {
      for (const ms of list) {
        const bucket = latencyBucketOf(ms);
        row.responseHistogram[bucket] = (row.responseHistogram[bucket] ?? 0) + 1;
      }
    }
  }
  for (const raw of parts.models) {
    const row = rowFor(raw);
    const model = String(raw.model);
    const usage = { messages: n(raw.messages), inputTokens: n(raw.input_tokens), outputTokens: n(raw.output_tokens), costUsd: 0 };
    usage.costUsd = costOf(model, usage.inputTokens, usage.outputTokens);
    row.models[model] = usage;
    row.inputTokens += usage.inputTokens;
    row.outputTokens += usage.outputTokens;
    row.costUsd += usage.costUsd;
  }
  for (const raw of parts.human) {
    const row = rowFor(raw);
    row.humanResponseCount = n(raw.human_response_count);
    row.humanResponseMsSum = n(raw.human_response_ms_sum);
  }
  return [...rows.values()];
}
