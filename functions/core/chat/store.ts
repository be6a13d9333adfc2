import { getTableColumns, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { ModelMessage } from 'ai';
import { contacts, conversations, flowSessions, messages } from '../../../db/schema';
import type { Database } from '../../ports';
import { compiledRows, rowsOf } from '../../lib/sql';
import { cleanText } from '../../lib/text';

/**
 * The chat turn's writes, each a single statement: a message insert and the conversation's
 * counters in one CTE (the user's turn also returns the handoff state and the recent history).
 * Fewer round trips is most of a chat turn's server time on the edge, where each one crosses
 * the network to Neon.
 */
type MessageRow = typeof messages.$inferSelect;
type MessageInsert = typeof messages.$inferInsert;

const messageColumns = Object.entries(getTableColumns(messages));

/** Raw `RETURNING *` row -> the typed row drizzle would give (names and value mapping). */
function messageFromRaw(raw: Record<string, unknown>): MessageRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of messageColumns) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as MessageRow;
}

/**
 * The conversation list's one line: the text, or for a file sent without a caption "📎 name"
 * (language-neutral, since it is stored once for every agent), so the list never shows such a
 * conversation as empty.
 */
export function preview(text: string, metadata?: Record<string, unknown> | null) {
  const line = text.trim() ? text : fileLine(metadata);
  return line.length > 140 ? `${line.slice(0, 137)}…` : line;
}

function fileLine(metadata: Record<string, unknown> | null | undefined): string {
  const files = Array.isArray(metadata?.attachments) ? (metadata.attachments as Array<{ filename?: unknown; kind?: unknown }>) : [];
  if (files.length === 0) return '';
  const names = files.map((file) => (typeof file?.filename === 'string' && file.filename) || (typeof file?.kind === 'string' ? file.kind : 'file'));
  return `📎 ${names.join(', ')}`;
}

export interface UserTurn {
  stored: MessageRow;
  handoff: 'bot' | 'requested' | 'human';
  /** The conversation's message count after this one (1: it just started). */
  messageCount: number;
  /**
   * What the bot's usual answer reads: null when not read, as the bot's flow answers this message
   * (`withFlowSession`); `readTurnHistory` reads it if the flow turns out not to.
   */
  context: TurnHistory | null;
  /** Read with the message when asked (`withFlowSession`: the bot has a flow), for flows/turn.ts. */
  flowSession?: FlowSessionRead;
}

/** The conversation before a visitor's message, as the bot's usual answer reads it. */
export interface TurnHistory {
  /** Earlier messages, oldest first (at most the bot's memory size). */
  history: Array<{ role: string; content: string }>;
  /** The latest bot or agent message before this one: what the visitor may be answering ("Sí"). */
  lastReply: LastReply | null;
}

/** The conversation's stored flow position (null: none yet) and its contact's name ({{contact_name}}). */
export interface FlowSessionRead {
  state: unknown;
  contactName: string | null;
}

export interface LastReply {
  role: string;
  metadata: Record<string, unknown>;
}

/**
 * Stores the visitor's message, cleaned of what Postgres cannot store (lib/text.ts: a chat
 * message is cleaned, never refused); null when its external id was already stored (a redelivery).
 * The same statement reads what answering needs:
 * - for the bot's usual answer, through `chat_turn_context` (a PL/pgSQL function, so its queries
 *   are planned once per session, even where statements are not prepared): the history and the
 *   last reply;
 * - with `withFlowSession` (a bot with a published flow), the conversation's flow position and
 *   contact name, and the history only when no flow will answer (its flow has ended). Reading the
 *   history and last reply for every flow message cost about 1.5 ms of the local database's time,
 *   more than the rest of the statement.
 */
export async function storeUserTurn(db: Database, input: MessageInsert, memorySize: number, options: { withFlowSession?: boolean } = {}): Promise<UserTurn | null> {
  const values = { ...input, role: 'user' as const, content: cleanText(input.content) };
  const columns = definedKeys(values);
  const withFlow = options.withFlowSession === true;
  const conversationId = sql.placeholder('conversationId');
  const memory = sql.placeholder('_memory');
  const flow = flowSessionRead(conversationId);
  const [raw] = await compiledRows(
    db,
    `storeUserTurn:${withFlow ? 'flow' : 'chat'}:${columns.join(',')}`,
    () => sql`with m as (${db.insert(messages).values(placeholders(columns)).onConflictDoNothing().returning().getSQL()}),
      c as (
        update ${conversations} set
          last_message_at = m.created_at,
          last_message_preview = ${sql.placeholder('_preview')},
          message_count = ${conversations.messageCount} + 1,
          unread_count = ${conversations.unreadCount} + 1,
          status = case when ${conversations.status} in ('resolved', 'closed') then 'open'::conversation_status else ${conversations.status} end,
          updated_at = now()
        from m where ${conversations.id} = m.conversation_id
        returning ${conversations.handoff} as handoff, ${conversations.messageCount} as message_count
      )${withFlow ? sql`, f as (select ${flow.state} as state)` : sql``}
      select m.*,
        (select handoff from c) as _handoff,
        (select message_count from c) as _message_count,
        ${
          withFlow
            ? sql`(select state from f) as _flow_state,
        ${flow.contactName} as _contact_name,
        case when (select state from f) is null or (select state ->> 'status' from f) in ('waiting', 'running') then null
          else chat_turn_context(${conversationId}, ${memory}, false) end as _context`
            : sql`chat_turn_context(${conversationId}, ${memory}, false) as _context`
        }
      from m`,
    { ...values, _preview: preview(values.content, values.metadata), _memory: memorySize },
  );
  if (!raw) return null;
  const context = parseJson<TurnContextRead>(raw._context);
  return {
    stored: messageFromRaw(raw),
    handoff: (raw._handoff as UserTurn['handoff']) ?? 'bot',
    messageCount: Number(raw._message_count ?? 0),
    context: context ? { history: context.history ?? [], lastReply: context.lastReply ?? null } : null,
    ...(withFlow ? { flowSession: { state: parseJson(raw._flow_state), contactName: (raw._contact_name as string | null) ?? null } } : {}),
  };
}

/**
 * The conversation's flow position (its `flow_sessions` state, null when none) and its contact's
 * name, as subqueries: read with the stored message here, or on their own (`readFlowSession`).
 */
function flowSessionRead(conversationId: Placeholder | string) {
  return {
    state: sql<unknown>`(select ${flowSessions.state} from ${flowSessions} where ${flowSessions.conversationId} = ${conversationId})`,
    contactName: sql<string | null>`(select ${contacts.name} from ${contacts} join ${conversations} on ${conversations.contactId} = ${contacts.id} where ${conversations.id} = ${conversationId})`,
  };
}

/** The flow position and contact name in one round trip, for a turn that did not read them with its message. */
export async function readFlowSession(db: Database, conversationId: string): Promise<FlowSessionRead> {
  const { state, contactName } = flowSessionRead(conversationId);
  const [row] = await rowsOf<{ state: unknown; contact_name: string | null }>(db, sql`select ${state} as state, ${contactName} as contact_name`);
  return { state: parseJson(row?.state), contactName: row?.contact_name ?? null };
}

/** What `chat_turn_context` (a database function, created in db/migrations/*_chat_turn_partial_indexes.sql) returns beside the stored message. */
interface TurnContextRead {
  history: TurnHistory['history'] | null;
  lastReply: LastReply | null;
}

function parseJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * Stores an answer (or any bot/agent message) and moves the conversation's last message. A bot
 * answer to a message that already has one (`replyToId`, a redelivered channel job) is not stored
 * twice: the existing answer is returned. Private notes and system notices ("an agent joined")
 * leave the conversation's preview and counters alone.
 */
export async function storeReply(db: Database, input: MessageInsert, alongside: AlongsideWrite[] = []): Promise<MessageRow> {
  // An agent's reply, or a model's answer echoing the visitor, may carry text Postgres refuses.
  const values = { ...input, content: cleanText(input.content) };
  if (values.role === 'note' || values.role === 'system') {
    if (alongside.length > 0) throw new Error('only a reply carries other writes along');
    const [row] = await db.insert(messages).values(values).returning();
    return row;
  }
  const replied = values.role === 'assistant' || values.role === 'agent';
  const columns = definedKeys(values);
  const [raw] = await compiledRows(
    db,
    `storeReply:${values.role}:${columns.join(',')}:${alongside.map((write) => write.key).join(';')}`,
    () => sql`with m as (${db.insert(messages).values(placeholders(columns)).onConflictDoNothing().returning().getSQL()}),
      c as (
        update ${conversations} set
          last_message_at = m.created_at,
          last_message_preview = ${sql.placeholder('_preview')},
          message_count = ${conversations.messageCount} + 1,
          first_response_at = ${replied ? sql`coalesce(${conversations.firstResponseAt}, m.created_at)` : sql`${conversations.firstResponseAt}`},
          unread_count = ${values.role === 'agent' ? sql`0` : sql`${conversations.unreadCount}`},
          updated_at = now()
        from m where ${conversations.id} = m.conversation_id
        returning 1
      )${alongsideCtes(alongside.map((write) => write.build()))}
      select m.* from m`,
    Object.assign({ ...values, _preview: preview(values.content, values.metadata) }, ...alongside.map((write) => write.values)),
  );
  if (raw) return messageFromRaw(raw);
  const [existing] = await db
    .select()
    .from(messages)
    .where(sql`${messages.replyToId} = ${values.replyToId ?? null} and ${messages.role} = 'assistant'`)
    .limit(1);
  if (!existing) throw new Error('reply was neither stored nor found');
  return existing;
}

/**
 * Another write of the same turn (a flow's position and node counts), run as a data-modifying CTE
 * of the reply's statement: Postgres runs each exactly once whether or not the query reads it, so
 * the turn pays one round trip instead of one per write. Like the reply (lib/sql.ts
 * `compiledRows`), it is built once per `key` from placeholders, whose names must not collide
 * with a message column's or another write's, and filled from `values`.
 */
export interface AlongsideWrite {
  key: string;
  build: () => SQL;
  values: Record<string, unknown>;
}

/** Columns given a value (an insert names only those: the rest take their defaults), in a stable order. */
function definedKeys(values: Record<string, unknown>) {
  return Object.keys(values).filter((key) => values[key] !== undefined).sort();
}

/** Each column as the placeholder of the same name. */
function placeholders(columns: string[]): MessageInsert {
  return Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)])) as unknown as MessageInsert;
}

function alongsideCtes(statements: SQL[]) {
  return sql.join(statements.map((statement, i) => sql`, ${sql.raw(`w${i}`)} as (${statement})`));
}

export interface TurnContext extends TurnHistory {
  message: MessageRow;
  handoff: UserTurn['handoff'];
  existingReply: MessageRow | null;
}

/** A stored visitor message with what answering it needs: handoff state, history, any answer. */
export async function loadTurnContext(db: Database, organizationId: string, messageId: string, memorySize: number): Promise<TurnContext | null> {
  const [message] = await db
    .select()
    .from(messages)
    .where(sql`${messages.id} = ${messageId} and ${messages.organizationId} = ${organizationId} and ${messages.role} = 'user'`);
  if (!message) return null;
  const [conversation, before, replies] = await Promise.all([
    db.select({ handoff: conversations.handoff }).from(conversations).where(sql`${conversations.id} = ${message.conversationId}`),
    readTurnHistory(db, message, memorySize),
    db.select().from(messages).where(sql`${messages.replyToId} = ${messageId} and ${messages.role} = 'assistant'`).limit(1),
  ]);
  return { message, handoff: conversation[0]?.handoff ?? 'bot', ...before, existingReply: replies[0] ?? null };
}

/** The conversation before a stored message (its history and last reply), read after it was stored. */
export async function readTurnHistory(db: Database, message: Pick<MessageRow, 'conversationId' | 'createdAt'>, memorySize: number): Promise<TurnHistory> {
  const [recent, previousReply] = await Promise.all([
    db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(
        sql`${messages.conversationId} = ${message.conversationId} and ${messages.createdAt} < ${message.createdAt} and ${messages.role} in ('user', 'assistant', 'agent')`,
      )
      .orderBy(sql`${messages.createdAt} desc`)
      .limit(memorySize),
    db
      .select({ role: messages.role, metadata: messages.metadata })
      .from(messages)
      .where(sql`${messages.conversationId} = ${message.conversationId} and ${messages.createdAt} < ${message.createdAt} and ${messages.role} in ('assistant', 'agent')`)
      .orderBy(sql`${messages.createdAt} desc`)
      .limit(1),
  ]);
  return { history: recent.reverse(), lastReply: previousReply[0] ?? null };
}

export type { ModelMessage };
