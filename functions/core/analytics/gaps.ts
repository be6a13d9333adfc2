import { sql } from 'drizzle-orm';
import type { Database } from '../../ports';
import { addDays } from './dates';
import { conversationFilters, knowledgeGapCondition, localMidnight, type MetricScope } from './compute';

/**
 * Knowledge gaps: questions the bot could not answer from its knowledge (fallback used, or no
 * passage above the threshold), grouped so that one missing article shows up once with how often
 * it was asked. Questions group by their content words, so "¿Cuál es el horario?" and "cual es
 * el horario" are one gap.
 */
const SCAN_LIMIT = 2000;

const STOPWORDS = new Set(
  (
    'a al algo and are as at be but by can como con cual cuál cuales cuando de del do does el en es esa ese eso esta este esto for ' +
    'from hay how i if in is it la las le les lo los me mi my no o of on or para pero por puedo que qué se si sin so su sus ' +
    'te the this to tu un una uno unos unas what when where which who why with y ya you your'
  ).split(' '),
);

/** Grouping key of a question: its content words, without accents or punctuation, in order-free form. */
export function questionKey(question: string): string {
  const words = question
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((w) => w.length > 0);
  const content = [...new Set(words.filter((w) => !STOPWORDS.has(w)))].sort();
  return (content.length > 0 ? content : words).join(' ');
}

export interface KnowledgeGap {
  key: string;
  /** The most frequent wording of the question (the fullest one on a tie). */
  question: string;
  count: number;
  lastAskedAt: string;
  botIds: string[];
  /** Up to three other wordings, and conversations to open for context. */
  examples: string[];
  conversationIds: string[];
}

interface GapRow {
  question: string | null;
  bot_id: string;
  conversation_id: string;
  created_at: string;
}

export async function knowledgeGaps(db: Database, scope: MetricScope, limit: number): Promise<{ gaps: KnowledgeGap[]; scanned: number; truncated: boolean }> {
  const start = localMidnight(scope.from, scope.timeZone);
  const end = localMidnight(addDays(scope.to, 1), scope.timeZone);
  // One JSON value back instead of up to 2000 rows: far cheaper to parse.
  const result = (await db.execute(sql`
    select coalesce(json_agg(g), '[]'::json) as rows from (
    select q.content as question, c.bot_id, m.conversation_id, m.created_at
    from messages m
    join conversations c on c.id = m.conversation_id
    -- The question is the message the answer replies to, or else the visitor's message just before it.
    left join lateral (
      select u.content from messages u
      where u.conversation_id = m.conversation_id and u.role = 'user'
        and (case when m.reply_to_id is not null then u.id = m.reply_to_id else u.created_at <= m.created_at end)
      order by u.created_at desc
      limit 1
    ) q on true
    where m.organization_id = ${scope.organizationId} and m.created_at >= ${start} and m.created_at < ${end}
      and ${knowledgeGapCondition('m')} ${conversationFilters(scope)}
    order by m.created_at desc
    limit ${SCAN_LIMIT}
    ) g
  `)) as unknown as { rows: Array<{ rows: unknown }> };
  const value = result.rows[0]?.rows;
  const rows = (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as GapRow[];

  const groups = new Map<string, { wordings: Map<string, number>; count: number; lastAskedAt: string; botIds: Set<string>; conversationIds: Set<string> }>();
  for (const row of rows) {
    const question = row.question?.trim();
    if (!question) continue;
    const key = questionKey(question);
    let group = groups.get(key);
    const askedAt = new Date(row.created_at).toISOString();
    if (!group) groups.set(key, (group = { wordings: new Map(), count: 0, lastAskedAt: askedAt, botIds: new Set(), conversationIds: new Set() }));
    group.count += 1;
    group.wordings.set(question, (group.wordings.get(question) ?? 0) + 1);
    group.botIds.add(row.bot_id);
    if (group.conversationIds.size < 3) group.conversationIds.add(row.conversation_id);
    if (askedAt > group.lastAskedAt) group.lastAskedAt = askedAt;
  }

  const gaps = [...groups.entries()]
    .map(([key, g]) => {
      // Most asked first; on a tie the fuller wording (accents, punctuation) reads best.
      const wordings = [...g.wordings.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length).map(([w]) => w);
      return {
        key,
        question: wordings[0],
        count: g.count,
        lastAskedAt: g.lastAskedAt,
        botIds: [...g.botIds],
        examples: wordings.slice(1, 4),
        conversationIds: [...g.conversationIds],
      };
    })
    .sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt))
    .slice(0, limit);
  return { gaps, scanned: rows.length, truncated: rows.length === SCAN_LIMIT };
}
