import { eq, sql } from 'drizzle-orm';
import { botModels } from '../../../db/schema';
import { addDays } from './dates';
import { conversationFilters, localMidnight } from './compute';
import { priceOf, type ModelPrice } from './costs';
import { resolveScope, type AnalyticsServices, type RangeInput } from './range';

/**
 * Cost and quality per model that answered (the toolbox's report): tokens priced with the bot's
 * own toolbox prices where it set them, else list prices; quality from the visitors' thumbs on
 * the model's answers, the ratings of the conversations it answered in, and how many of those
 * went to a person. Read live from messages: a range of model answers is small next to the
 * roll-up's work, and the roll-up does not keep the task or the bot's prices.
 */
interface Raw {
  model: string;
  bot_id: string;
  task: string | null;
  answers: number;
  input_tokens: number;
  output_tokens: number;
  failed: number;
  thumbs_up: number;
  thumbs_down: number;
}

interface RawQuality {
  model: string;
  conversations: number;
  rated: number;
  rating_sum: number;
  handoffs: number;
}

function parseJson<T>(value: unknown): T[] {
  return (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as T[];
}

/** The bot's toolbox price for a model, when it set both halves. */
async function toolboxPrices(services: AnalyticsServices, organizationId: string) {
  const rows = await services.db
    .select({ botId: botModels.botId, provider: botModels.provider, modelId: botModels.modelId, input: botModels.costInputPer1M, output: botModels.costOutputPer1M })
    .from(botModels)
    .where(eq(botModels.organizationId, organizationId));
  const prices = new Map<string, ModelPrice>();
  for (const r of rows) {
    if (r.input === null && r.output === null) continue;
    prices.set(`${r.botId}|${r.provider}:${r.modelId}`, { inputPerMillion: r.input ?? 0, outputPerMillion: r.output ?? 0 });
  }
  return prices;
}

export async function modelsView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const scope = await resolveScope(services.db, organizationId, input);
  const start = localMidnight(scope.from, scope.timeZone);
  const end = localMidnight(addDays(scope.to, 1), scope.timeZone);
  const filters = conversationFilters(scope);
  const result = (await services.db.execute(sql`
    with answers as (
      select m.model, c.bot_id, m.conversation_id, m.metadata->>'task' as task, m.input_tokens, m.output_tokens, m.error, m.feedback
      from messages m
      join conversations c on c.id = m.conversation_id
      where m.organization_id = ${organizationId} and m.role = 'assistant' and m.model is not null
        and m.created_at >= ${start} and m.created_at < ${end} ${filters}
    ),
    usage as (
      select model, bot_id, task, count(*)::int as answers,
        coalesce(sum(input_tokens), 0)::int as input_tokens, coalesce(sum(output_tokens), 0)::int as output_tokens,
        count(error)::int as failed,
        count(*) filter (where feedback = 1)::int as thumbs_up, count(*) filter (where feedback = -1)::int as thumbs_down
      from answers group by 1, 2, 3
    ),
    quality as (
      select a.model, count(*)::int as conversations, count(c.rating)::int as rated, coalesce(sum(c.rating), 0)::int as rating_sum,
        count(c.handed_off_at)::int as handoffs
      from (select distinct model, conversation_id from answers) a
      join conversations c on c.id = a.conversation_id
      group by 1
    )
    select (select coalesce(json_agg(usage), '[]'::json) from usage) as usage, (select coalesce(json_agg(quality), '[]'::json) from quality) as quality
  `)) as unknown as { rows: Array<{ usage: unknown; quality: unknown }> };
  const usage = parseJson<Raw>(result.rows[0]?.usage);
  const quality = new Map(parseJson<RawQuality>(result.rows[0]?.quality).map((q) => [q.model, q]));
  const prices = await toolboxPrices(services, organizationId);

  const byModel = new Map<string, { messages: number; inputTokens: number; outputTokens: number; costUsd: number; priced: boolean; failed: number; thumbsUp: number; thumbsDown: number; tasks: Record<string, number> }>();
  for (const row of usage) {
    const entry = byModel.get(row.model) ?? { messages: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, priced: true, failed: 0, thumbsUp: 0, thumbsDown: 0, tasks: {} };
    const price = prices.get(`${row.bot_id}|${row.model}`) ?? priceOf(row.model);
    entry.messages += row.answers;
    entry.inputTokens += row.input_tokens;
    entry.outputTokens += row.output_tokens;
    entry.costUsd += price ? (row.input_tokens * price.inputPerMillion + row.output_tokens * price.outputPerMillion) / 1_000_000 : 0;
    entry.priced &&= price !== null;
    entry.failed += row.failed;
    entry.thumbsUp += row.thumbs_up;
    entry.thumbsDown += row.thumbs_down;
    if (row.task) entry.tasks[row.task] = (entry.tasks[row.task] ?? 0) + row.answers;
    byModel.set(row.model, entry);
  }
  const data = [...byModel.entries()]
    .map(([model, u]) => {
      const q = quality.get(model);
      const conversations = q?.conversations ?? 0;
      return {
        model,
        ...u,
        costUsd: Math.round(u.costUsd * 1e6) / 1e6,
        costPerAnswerUsd: u.messages > 0 ? Math.round((u.costUsd / u.messages) * 1e8) / 1e8 : 0,
        conversations,
        ratedConversations: q?.rated ?? 0,
        avgRating: q && q.rated > 0 ? Math.round((q.rating_sum / q.rated) * 100) / 100 : null,
        handoffs: q?.handoffs ?? 0,
        handoffRate: conversations > 0 ? Math.round(((q?.handoffs ?? 0) / conversations) * 1000) / 1000 : null,
      };
    })
    .sort((a, b) => b.costUsd - a.costUsd || b.messages - a.messages);
  return { from: scope.from, to: scope.to, timezone: scope.timeZone, data };
}
