import { sql } from 'drizzle-orm';
import { conversations, flowNodeCounts, flowSessions, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import type { BotRuntime } from '../chat/bot-runtime';
import { tappedReplyId } from '../chat/handoff';
import { toPublicMessage, type PublicMessage } from '../chat/public-message';
import { readFlowSession, storeReply, type AlongsideWrite, type FlowSessionRead } from '../chat/store';
import { compiledRows } from '../../lib/sql';
import { publishMessageCreated } from '../conversations/events';
import { createFlowHost } from './host';
import { runTurn, type FlowHost, type TurnResult } from './runtime';
import { flowState, initialState, type FlowReply, type FlowState } from './state';
import type { EntryFlow } from './entry';
import { loadVersion } from './store';
import { announceAnswer, announcedSoFar, type TurnAnnouncements } from '../chat/announce';

/**
 * Where flows meet the chat turn (engine.ts calls `flowFor`, then `answerWithFlow`): when the
 * bot has a published entry flow and the conversation's flow has not finished, the visitor's
 * message goes to the flow runtime instead of the knowledge answer. The conversation's position
 * is read and written once per message (flow_sessions), so any invocation can resume it.
 */
type MessageRow = typeof messages.$inferSelect;
type ChannelKind = (typeof conversations.$inferSelect)['channel'];

export interface FlowTurnInput {
  bot: BotRuntime;
  conversationId: string;
  channel: ChannelKind;
  text: string;
  quickReply?: string;
  userMessage: MessageRow;
  late?: boolean;
  now?: Date;
  /** The turn's announcements so far (the visitor's message): what the flow announces follows them (chat/announce.ts). */
  announcements?: TurnAnnouncements;
}

export interface ActiveFlow {
  doc: EntryFlow['document'];
  state: FlowState;
  /** The contact's name ({{contact_name}}), read with the flow's position. */
  contactName: string | null;
}

/**
 * The flow this message belongs to, or null when the bot answers as usual. The position comes
 * with the stored message when the chat turn read it there (chat/store.ts), else in a read here.
 */
export async function flowFor(
  services: Services,
  input: Pick<FlowTurnInput, 'bot' | 'conversationId'> & { flowSession?: FlowSessionRead },
): Promise<ActiveFlow | null> {
  const entry = input.bot.entryFlow;
  if (!entry) return null;
  const { state: stored, contactName } = input.flowSession ?? (await readFlowSession(services.db, input.conversationId));
  if (stored === null) return { doc: entry.document, state: initialState(entry.flowId, entry.version), contactName };
  const parsed = flowState.safeParse(stored);
  // A finished flow hands the conversation to the bot's usual answers.
  if (!parsed.success || (parsed.data.status !== 'waiting' && parsed.data.status !== 'running')) return null;
  const state = parsed.data;
  if (state.flowId === entry.flowId && state.version === entry.version) return { doc: entry.document, state, contactName };
  // The conversation keeps the version it started with (or the flow it went to).
  const version = state.flowId && state.version !== null ? await loadVersion(services, input.bot.organizationId, state.flowId, state.version) : null;
  return version ? { doc: version.document, state, contactName } : { doc: entry.document, state: initialState(entry.flowId, entry.version), contactName };
}

function languageOf(bot: BotRuntime, text: string) {
  if (bot.language === 'es' || bot.language === 'en') return bot.language;
  return /\b(the|what|how|where|when|is|are|do|does|can|my|your)\b/i.test(text) && !/[ñ¿¡áéíóú]/i.test(text) ? 'en' : 'es';
}

/**
 * One stored bot message per visitor message: the flow's replies joined (what the inbox and the
 * widget show), each reply kept as a part in order (channels send them one by one, as separate
 * messages), and the last buttons under it.
 */
export function combine(replies: FlowReply[]) {
  const parts = replies
    .map((r) => [r.text, r.media ? (r.media.name ? `[${r.media.name}](${r.media.url})` : r.media.url) : ''].filter(Boolean).join('\n'))
    .filter(Boolean);
  const quickReplies = replies.at(-1)?.quickReplies;
  const media = replies.filter((r) => r.media).map((r) => r.media);
  return { text: parts.join('\n\n'), parts, quickReplies, media };
}

/**
 * The conversation's new position, as a write the reply's statement carries (or run alone): its
 * text is built once (chat/store.ts AlongsideWrite), each turn only fills in the values.
 */
function saveSession(services: Services, organizationId: string, conversationId: string, state: FlowState): AlongsideWrite {
  const p = (name: string) => sql.placeholder(`session_${name}`) as never;
  return {
    key: 'flowSession',
    build: () =>
      services.db
        .insert(flowSessions)
        .values({ conversationId: p('conversationId'), organizationId: p('organizationId'), flowId: p('flowId'), version: p('version'), status: p('status'), state: p('state') })
        .onConflictDoUpdate({ target: flowSessions.conversationId, set: { flowId: p('flowId'), version: p('version'), status: p('status'), state: p('state'), updatedAt: p('updatedAt') } })
        .getSQL(),
    values: {
      session_conversationId: conversationId,
      session_organizationId: organizationId,
      session_flowId: state.flowId!,
      session_version: state.version ?? 0,
      session_status: state.status,
      session_state: state,
      session_updatedAt: new Date(),
    },
  };
}

/** Runs a turn's write on its own (a turn with nothing to reply). */
function runAlone(services: Pick<Services, 'db'>, write: AlongsideWrite) {
  return compiledRows(services.db, write.key, write.build, write.values);
}

/** Counts each node entered today, in one statement. */
export async function countReached(services: Pick<Services, 'db'>, organizationId: string, reached: TurnResult['reached'], now = new Date()) {
  const write = countReachedStatement(services, organizationId, reached, now);
  if (write) await runAlone(services, write);
}

/** The node counts' upsert (not yet run: a caller may run it inside another statement), or null when no node was entered. */
function countReachedStatement(services: Pick<Services, 'db'>, organizationId: string, reached: TurnResult['reached'], now = new Date()): AlongsideWrite | null {
  const counts = new Map<string, { flowId: string; nodeId: string; n: number }>();
  for (const r of reached) {
    if (!r.flowId) continue;
    const key = `${r.flowId}\u0000${r.nodeId}`;
    const entry = counts.get(key) ?? { flowId: r.flowId, nodeId: r.nodeId, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  if (counts.size === 0) return null;
  const rows = [...counts.values()];
  const p = (name: string) => sql.placeholder(`counts_${name}`) as never;
  const values: Record<string, unknown> = { counts_organizationId: organizationId, counts_day: now.toISOString().slice(0, 10) };
  rows.forEach((row, i) => Object.assign(values, { [`counts_flowId${i}`]: row.flowId, [`counts_nodeId${i}`]: row.nodeId, [`counts_reached${i}`]: row.n }));
  return {
    key: `flowNodeCounts:${rows.length}`,
    build: () =>
      services.db
        .insert(flowNodeCounts)
        .values(rows.map((_, i) => ({ organizationId: p('organizationId'), flowId: p(`flowId${i}`), nodeId: p(`nodeId${i}`), day: p('day'), reached: p(`reached${i}`) })))
        .onConflictDoUpdate({ target: [flowNodeCounts.flowId, flowNodeCounts.nodeId, flowNodeCounts.day], set: { reached: sql`${flowNodeCounts.reached} + excluded.reached` } })
        .getSQL(),
    values,
  };
}

export type FlowChatEvent = { type: 'token'; text: string } | { type: 'done'; message: PublicMessage | null; conversationId: string };

export async function* answerWithFlow(services: Services, input: FlowTurnInput, flow: ActiveFlow, started = performance.now()): AsyncGenerator<FlowChatEvent> {
  const { bot } = input;
  const language = languageOf(bot, input.text);
  const host = afterAnnounced(createFlowHost({ services, bot, channel: input.channel, language, conversationId: input.conversationId, contactName: flow.contactName, now: input.now }), input);
  const quickReply = input.quickReply ?? tappedReplyId(input.userMessage.metadata);
  const result = await runTurn({ doc: flow.doc, state: flow.state, incoming: { text: input.text, quickReply }, host });
  const failed = result.steps.find((s) => s.error);
  if (failed) console.error(JSON.stringify({ level: 'warn', message: 'flow step failed', bot: bot.id, conversation: input.conversationId, node: failed.nodeId, error: failed.error }));
  // The new position and the node counts are written in the reply's own statement.
  const counted = countReachedStatement(services, bot.organizationId, result.reached);
  const remember = [saveSession(services, bot.organizationId, input.conversationId, result.state), ...(counted ? [counted] : [])];

  const { text, parts, quickReplies, media } = combine(result.replies);
  if (!text) {
    await Promise.all(remember.map((write) => runAlone(services, write)));
    yield { type: 'done', message: null, conversationId: input.conversationId };
    return;
  }
  // The reply is whole at once, so it is not streamed ahead of its storage: it leaves once stored,
  // with `done` (on Node one socket write, adapters/local/event-stream.ts).
  const row = await storeReply(services.db, {
    organizationId: bot.organizationId,
    conversationId: input.conversationId,
    replyToId: input.userMessage.id,
    role: 'assistant',
    content: text,
    channel: input.channel,
    sources: [],
    model: null,
    latencyMs: Math.round(performance.now() - started),
    timeToFirstTokenMs: 0,
    metadata: {
      flow: { flowId: result.state.flowId, version: result.state.version, nodeId: result.state.waiting?.nodeId ?? null },
      language,
      ...(quickReplies?.length ? { quickReplies } : {}),
      ...(media.length ? { media } : {}),
      ...(parts.length > 1 ? { flowParts: parts } : {}),
    },
    deliveryStatus: input.channel === 'web' || input.channel === 'playground' ? null : 'pending',
  }, remember);
  yield { type: 'token', text };
  yield { type: 'done', message: toPublicMessage(row), conversationId: input.conversationId };
  // After `done`: every consumer reads a turn to its end, and the response need not wait for this.
  await announceAnswer(services, input, () => publishMessageCreated(services, row, { toVisitor: input.late }));
}

/** The flow's actions and webhook events are announced too: after the visitor's message. */
function afterAnnounced(host: FlowHost, turn: Pick<FlowTurnInput, 'announcements'>): FlowHost {
  if (!turn.announcements) return host;
  return {
    ...host,
    applyAction: async (action, variables) => (await announcedSoFar(turn), host.applyAction(action, variables)),
    emitWebhook: async (event, data) => (await announcedSoFar(turn), host.emitWebhook(event, data)),
  };
}
