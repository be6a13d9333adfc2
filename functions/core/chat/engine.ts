import { streamText, type ModelMessage } from 'ai';
import { conversations, messages } from '../../../db/schema';
import { eq } from 'drizzle-orm';
import { loadTurnContext, readTurnHistory, storeReply, storeUserTurn, type TurnHistory, type UserTurn } from './store';
import { publishEvent } from '../events/publish';
import { publishMessageCreated, publishMessageFailed } from '../conversations/events';
import {
  asksForHuman,
  DECLINED_MESSAGE,
  HANDOFF_MESSAGE,
  HANDOFF_NO,
  HANDOFF_OFFER,
  HANDOFF_YES,
  OVER_LIMIT_MESSAGE,
  offeredHandoff,
  replyToOffer,
  requestHandoff,
  tappedReplyId,
  type HandoffReason,
  type QuickReply,
} from './handoff';
import type { Services } from '../../ports';
import { countTokens } from '../ingest/tokens';
import { BUILTIN_MODEL, describeModelFailure } from '../models/registry';
import { classifyModelError, decryptKeys, type ModelFailure } from '../models/org-keys';
import { modelChain, routeMessage, type RoutedModel } from '../models/routing';
import { classifyWithModel } from '../models/classifier';
import type { SearchHit } from '../retrieval/search';
import { retrieveForTurn } from './retrieve';
import type { BotRuntime } from './bot-runtime';
import { extractiveAnswer } from './extractive';
import { citedIndexes, sourcesOf, type StoredSource } from './sources';
import { systemPrompt } from './prompt';
import { isOpen, teamAwayMessage } from './schedule';
import { cleanText } from '../../lib/text';
import { publicSource, toPublicMessage, type PublicMessage, type PublicSource } from './public-message';
import { answerWithFlow, flowFor } from '../flows/turn';
import { userContentFor } from './media-input';
import { answerableText } from '../channels/answerable-text';
import { countBotAnswer, type AnswerQuota } from '../billing/messages-quota';
import { redactHistory, redactText } from '../privacy/redaction';
import { letTokensOut } from '../../lib/let-tokens-out';
import { announceAnswer, announcedSoFar, turnAnnouncements, type TurnAnnouncements } from './announce';

export { toPublicMessage, type PublicMessage, type PublicSource };

/**
 * One engine for every entry point (widget, playground, API, channels): store the user's message,
 * decide who answers (nobody while a human has the conversation; the fixed reply for `auto` bots;
 * the out-of-hours message for bots that go quiet outside business hours; otherwise the model with
 * the knowledge base), stream the answer, and
 * store it with its sources and measurements. A provider failure becomes the fallback message;
 * the conversation always stays whole.
 */
type ChannelKind = (typeof conversations.$inferSelect)['channel'];
type MessageRow = typeof messages.$inferSelect;

export type ChatEvent =
  | { type: 'message'; message: PublicMessage }
  | { type: 'token'; text: string }
  | { type: 'sources'; sources: PublicSource[] }
  | {
      type: 'done';
      message: PublicMessage | null;
      conversationId: string;
      /** Who holds the conversation after this turn, as far as the turn knows (absent: ask the database). */
      handoff?: UserTurn['handoff'];
    }
  | { type: 'error'; code: string; message: string; reason?: ModelFailure };

export interface TurnInput {
  bot: BotRuntime;
  conversationId: string;
  channel: ChannelKind;
  text: string;
  /** The quick-reply button the visitor tapped (widget), e.g. `handoff.yes`. */
  quickReply?: string;
  /** Platform message id (channels): a redelivery with the same id is not answered twice. */
  externalId?: string;
  now?: Date;
  /** A flow node's chosen task (toolbox routing): its model answers, whatever the bot's rules say. */
  task?: string;
}

const MEMORY_TOKEN_BUDGET = 2000;

export function languageOf(bot: Pick<BotRuntime, 'language'>, text: string): 'es' | 'en' {
  if (bot.language === 'es' || bot.language === 'en') return bot.language;
  return /\b(the|what|how|where|when|is|are|do|does|can|my|your)\b/i.test(text) && !/[ñ¿¡áéíóú]/i.test(text) ? 'en' : 'es';
}

const DEFAULT_FALLBACK = {
  es: 'Lo siento, ahora mismo no puedo responder. ¿Quieres que te atienda una persona?',
  en: 'Sorry, I cannot answer right now. Would you like to talk to a person?',
};
const DEFAULT_UNKNOWN = {
  es: 'No encuentro esa información en nuestra documentación. ¿Quieres que te atienda una persona?',
  en: 'I could not find that in our documentation. Would you like to talk to a person?',
};
const DEFAULT_OUT_OF_HOURS = {
  es: 'Ahora mismo estamos fuera de horario. Te responderemos en cuanto volvamos.',
  en: 'We are outside business hours right now. We will get back to you as soon as we are back.',
};

/** The recent history the model sees, newest kept first, within a token budget. */
function memory(history: Array<{ role: string; content: string }>): ModelMessage[] {
  const kept: ModelMessage[] = [];
  let budget = MEMORY_TOKEN_BUDGET;
  for (const row of [...history].reverse()) {
    budget -= countTokens(row.content);
    if (budget < 0) break;
    kept.unshift({ role: row.role === 'user' ? 'user' : 'assistant', content: row.content });
  }
  return kept;
}

interface Answer {
  content: string;
  sources: StoredSource[];
  model: string | null;
  inputTokens?: number;
  outputTokens?: number;
  timeToFirstTokenMs?: number;
  finishReason?: string;
  error?: string;
  /** Why the model failed, kept with the answer so the inbox can say it in the agent's language. */
  failure?: ModelFailure;
  isFallback?: boolean;
  /** Extra message metadata: the offer's buttons and the language it was made in. */
  metadata?: Record<string, unknown>;
  /** Which toolbox task and rule chose the model (message metadata `model`, `task`, `routeReason`). */
  route?: RoutedModel;
}

/** The route as stored on the answer: the model that did answer, and the one routing chose if another had to. */
function routeMetadata(answer: Answer): Record<string, unknown> {
  if (!answer.route || !answer.model) return {};
  const { route } = answer;
  return { model: answer.model, task: route.task, routeReason: route.reason, ...(answer.model !== route.model ? { routedModel: route.model } : {}) };
}

function storeAnswer(services: Services, input: AnswerInput, answer: Answer, started: number): Promise<MessageRow> {
  return storeReply(services.db, {
    organizationId: input.bot.organizationId,
    conversationId: input.conversationId,
    replyToId: input.userMessage.id,
    role: 'assistant',
    content: answer.content,
    channel: input.channel,
    sources: answer.sources,
    model: answer.model,
    inputTokens: answer.inputTokens,
    outputTokens: answer.outputTokens,
    latencyMs: Math.round(performance.now() - started),
    timeToFirstTokenMs: answer.timeToFirstTokenMs === undefined ? null : Math.round(answer.timeToFirstTokenMs),
    finishReason: answer.finishReason,
    error: answer.error,
    isFallback: answer.isFallback ?? false,
    ...(answer.failure || answer.metadata || answer.route
      ? { metadata: { ...answer.metadata, ...routeMetadata(answer), ...(answer.failure ? { modelFailure: answer.failure } : {}) } }
      : {}),
    // Answers on the widget, the playground and the API are delivered in the response itself.
    deliveryStatus: input.channel === 'web' || input.channel === 'playground' || input.channel === 'api' ? null : 'pending',
  });
}

/** Splits text into word-sized tokens so fixed replies stream like model output. */
function* wordTokens(text: string) {
  const parts = text.match(/\S+\s*|\s+/g) ?? [];
  for (const part of parts) yield part;
}

async function* streamFromModel(
  services: Services,
  bot: BotRuntime,
  modelId: string,
  system: string,
  history: ModelMessage[],
  text: string,
  started: number,
  answer: Answer,
  userMessage?: MessageRow,
): AsyncGenerator<ChatEvent> {
  const resolved = services.models.resolve(modelId, await decryptKeys(services, bot.providerKeys));
  if (resolved.kind === 'builtin') throw new Error('builtin is not streamed through the SDK');
  const result = streamText({
    model: resolved.model,
    system,
    // A channel customer's pictures go to models that read images (chat/media-input.ts).
    messages: [...history, { role: 'user', content: await userContentFor(services, modelId, userMessage, text) }],
    temperature: bot.temperature,
    maxOutputTokens: bot.maxTokens,
    // No SDK retries: a second try doubles the wait the visitor sees; the fallback model is the retry.
    maxRetries: 0,
    abortSignal: AbortSignal.timeout(services.config.MODEL_TIMEOUT_MS),
  });
  let content = '';
  for await (const part of result.fullStream) {
    if (part.type === 'error') throw part.error instanceof Error ? part.error : new Error(String(part.error));
    if (part.type !== 'text-delta' || !part.text) continue;
    if (answer.timeToFirstTokenMs === undefined) answer.timeToFirstTokenMs = performance.now() - started;
    content += part.text;
    yield { type: 'token', text: part.text };
  }
  const usage = await result.usage;
  answer.content = content;
  answer.model = modelId;
  answer.inputTokens = usage.inputTokens;
  answer.outputTokens = usage.outputTokens;
  answer.finishReason = await result.finishReason;
}

export async function* chatTurn(services: Services, turn: TurnInput): AsyncGenerator<ChatEvent> {
  const started = performance.now();
  // The text is also a search query and a prompt: the same cleaned text everywhere (lib/text.ts).
  // With redaction on, what is stored, searched and prompted is the masked text ("[email]").
  const input = { ...turn, text: await redactText(services, turn.bot.redactPii === true, cleanText(turn.text)) };
  const { bot } = input;
  const userTurn = await storeUserTurn(
    services.db,
    {
      organizationId: bot.organizationId,
      conversationId: input.conversationId,
      role: 'user',
      content: input.text,
      channel: input.channel,
      externalId: input.externalId,
      ...(input.quickReply ? { contentType: 'interactive', metadata: { quickReplyId: input.quickReply } } : {}),
    },
    bot.memorySize,
    { withFlowSession: bot.entryFlow != null },
  );
  if (!userTurn) {
    yield { type: 'done', message: null, conversationId: input.conversationId };
    return;
  }
  yield { type: 'message', message: toPublicMessage(userTurn.stored) };
  // Counted alongside the message's announcement, so the INCR shares its KV round trip.
  const quota = startAnswerCount(services, bot, input.channel, userTurn.handoff);
  // Not awaited: the turn answers while the inbox hears of the message; a flow's answer, quick,
  // is announced with it (announce.ts).
  const stored = userTurn.stored;
  const announcements = turnAnnouncements(services, () => publishUserMessage(services, stored, userTurn.messageCount), {
    holdMs: bot.entryFlow && userTurn.handoff !== 'human' ? services.config.CHAT_ANNOUNCE_HOLD_MS : 0,
  });
  try {
    yield* answerTurn(
      services,
      { ...input, userMessage: stored, handoff: userTurn.handoff, context: userTurn.context, flowSession: userTurn.flowSession, quota, announcements },
      started,
    );
  } finally {
    // However the turn ended, the visitor's message is announced.
    void announcements.published();
  }
}

/**
 * Counts the bot answer this turn is about to give against the plan's monthly answers. Nothing is
 * counted when a person has the conversation (the bot stays silent) or in the playground (the
 * team testing its bot is not a customer conversation).
 */
function startAnswerCount(services: Services, bot: BotRuntime, channel: ChannelKind, handoff: UserTurn['handoff']): Promise<AnswerQuota> | null {
  if (handoff === 'human' || channel === 'playground') return null;
  const counting = countBotAnswer(services, bot.organizationId, bot.plan);
  counting.catch(() => {}); // read by answerTurn; a failure there fails the turn like any KV failure
  return counting;
}

/**
 * The inbox hears of a visitor's message; the first one also announces the conversation. Both
 * start now, in this order (at the edge their appends share a round trip, in call order).
 */
async function publishUserMessage(services: Services, row: MessageRow, messageCount: number) {
  const created =
    messageCount === 1 && row.channel !== 'playground'
      ? publishEvent(services, row.organizationId, 'conversation.created', { conversationId: row.conversationId, channel: row.channel })
      : null;
  await Promise.all([created, publishMessageCreated(services, row)]);
}

export interface AnswerInput extends TurnInput {
  userMessage: MessageRow;
  handoff: UserTurn['handoff'];
  /** The history and last reply, read with the stored message; null when not read (a flow was to answer). */
  context: TurnHistory | null;
  /** Answered after the chat request ended (crash recovery): the widget hears of it on its event stream. */
  late?: boolean;
  /** The flow position read with the stored message, when the bot has a flow (else flowFor reads it). */
  flowSession?: UserTurn['flowSession'];
  /** This answer's count against the monthly limit, when the caller started it; otherwise answerTurn counts. */
  quota?: Promise<AnswerQuota> | null;
  /** The turn's announcements so far (the visitor's message): the answer's follow them (announce.ts). */
  announcements?: TurnAnnouncements;
}

/**
 * The visitor's answer to the bot's offer of a person: a tapped button says it outright; a
 * short "sí" / "vale" / "no, gracias" counts only right after an offer.
 */
function answerToOffer(input: AnswerInput, lastReply: TurnHistory['lastReply']): { choice: 'yes' | 'no'; language?: 'es' | 'en' } | null {
  const tapped = input.quickReply ?? tappedReplyId(input.userMessage.metadata);
  const offer = lastReply?.role === 'assistant' && offeredHandoff(lastReply.metadata) ? lastReply.metadata : null;
  const language = offer?.language === 'en' || offer?.language === 'es' ? offer.language : undefined;
  if (tapped === HANDOFF_YES) return { choice: 'yes', language };
  if (tapped === HANDOFF_NO) return { choice: 'no', language };
  const choice = offer ? replyToOffer(input.text) : null;
  return choice ? { choice, language } : null;
}

/** Decides who answers an already stored visitor message and, when it is the bot, answers it. */
export async function* answerTurn(services: Services, input: AnswerInput, started = performance.now()): AsyncGenerator<ChatEvent> {
  const { bot } = input;
  const lang = languageOf(bot, input.text);
  const done = (message: PublicMessage | null, handedOff = false): ChatEvent => ({
    type: 'done',
    message,
    conversationId: input.conversationId,
    handoff: handedOff ? 'requested' : input.handoff,
  });

  // A person has the conversation: the bot stays silent (agents see the message live in the inbox).
  if (input.handoff === 'human') {
    yield done(null);
    return;
  }
  // Past the plan's monthly answers no bot (nor flow) answers: a person will, from the inbox.
  const quota = await (input.quota !== undefined ? input.quota : startAnswerCount(services, bot, input.channel, input.handoff));
  if (quota && !quota.allowed) {
    yield* answerOverLimit(services, input, lang, started);
    return;
  }
  // The bot's published entry flow answers, until it finishes (core/flows/turn.ts).
  const flow = await flowFor(services, input);
  if (flow) {
    yield* answerWithFlow(services, input, flow, started);
    return;
  }
  // The bot's usual answers can take seconds: the inbox hears of the visitor's message now.
  void announcedSoFar(input);
  // A flow bot's message is stored without them (its flow answers most): read once it does not.
  const { history: earlier, lastReply } = input.context ?? (await readTurnHistory(services.db, input.userMessage, bot.memorySize));

  const fixedReply = (content: string, model: string | null): Answer => ({ content, sources: [], model, timeToFirstTokenMs: 0 });
  let answer: Answer | null = null;
  let handoffReason: HandoffReason | null = null;
  const open = isOpen(bot.schedules, bot.timezone, input.now);
  // Outside hours a request for a person still queues for the team; the visitor learns when it is back.
  const handoffReply = (language: 'es' | 'en') => (open ? HANDOFF_MESSAGE[language] : teamAwayMessage(bot.schedules, bot.timezone, language, input.now));
  const offerAnswer = input.channel === 'playground' ? null : answerToOffer(input, lastReply);
  if (input.handoff === 'bot' && input.channel !== 'playground' && asksForHuman(input.text)) {
    handoffReason = 'visitor_request';
    answer = fixedReply(handoffReply(lang), null);
  } else if (offerAnswer?.choice === 'yes') {
    // A yes to our own offer: hand off (a no-op when a person was already asked for), never a knowledge search.
    handoffReason = 'visitor_request';
    answer = fixedReply(handoffReply(offerAnswer.language ?? lang), null);
  } else if (offerAnswer?.choice === 'no') {
    answer = fixedReply(DECLINED_MESSAGE[offerAnswer.language ?? lang], null);
  } else if (bot.type === 'auto') answer = fixedReply(bot.autoReply || bot.welcomeMessage || DEFAULT_UNKNOWN[lang], null);
  else if (!bot.answerOutsideHours && !open) {
    answer = fixedReply(bot.outOfHoursMessage || DEFAULT_OUT_OF_HOURS[lang], null);
  }
  if (answer) {
    for (const token of wordTokens(answer.content)) yield { type: 'token', text: token };
    await letTokensOut();
    const row = await storeAnswer(services, input, answer, started);
    const handedOff = handoffReason ? await handOff(services, input, handoffReason) : false;
    await announceAnswer(services, input, () => publishMessageCreated(services, row, { toVisitor: input.late }));
    yield done(toPublicMessage(row), handedOff);
    return;
  }

  // Follow-ups become standalone queries; with a model, rewritten and optionally reranked (retrieve.ts).
  // The model sees masked text only: earlier messages may predate redaction (or quote the
  // visitor), and a channel message may have been stored before it was turned on.
  const [question, ...priorTurns] = await redactHistory(services, bot.redactPii === true, [{ role: 'user', content: input.text }, ...earlier]);
  const { hits, trace } = await retrieveForTurn(services, bot, question.content, priorTurns);
  const history = memory(priorTurns);
  const retrieved = sourcesOf(hits, lang);
  if (retrieved.length > 0) yield { type: 'sources', sources: retrieved.map(publicSource) };

  const route = await routeTurn(services, { ...input, text: question.content });
  answer = { content: '', sources: retrieved, model: route.model, route, ...(trace ? { metadata: { retrieval: trace } } : {}) };
  if (route.model === BUILTIN_MODEL || (hits.length === 0 && bot.answerOnlyFromKnowledge)) {
    const extracted = hits.length > 0 ? extractiveAnswer(question.content, hits) : { content: '', cited: [] };
    const found = extracted.content !== '';
    const content = found ? extracted.content : bot.fallbackMessage || DEFAULT_UNKNOWN[lang];
    answer = { ...fixedReply(content, found ? BUILTIN_MODEL : null), sources: sourcesOf(hits, lang, extracted.cited), isFallback: !found, route, metadata: answer.metadata };
    for (const token of wordTokens(content)) yield { type: 'token', text: token };
  } else {
    const system = systemPrompt(bot, hits);
    // The routed model first, then the bot's own model and its fallback: the chain it always had.
    const candidates = modelChain(bot, route.model);
    let lastError: unknown;
    for (const modelId of candidates) {
      try {
        answer.timeToFirstTokenMs = undefined;
        yield* streamFromModel(services, bot, modelId, system, history, question.content, started, answer, input.userMessage);
        lastError = undefined;
        break;
      } catch (error) {
        lastError = error;
        // Once tokens reached the user, switching models would splice two answers together.
        if (answer.timeToFirstTokenMs !== undefined) break;
      }
    }
    if (lastError !== undefined) {
      const message = lastError instanceof Error ? lastError.message : String(lastError);
      console.error(JSON.stringify({ level: 'error', message: 'model call failed', bot: bot.id, model: route.model, error: message }));
      const failure = classifyModelError(lastError);
      // The team testing its bot learns why; a visitor only ever sees the fallback reply.
      yield { type: 'error', code: 'model_unavailable', message: 'The assistant could not answer; a fallback reply was sent', ...(input.channel === 'playground' ? { reason: failure } : {}) };
      const fallback = bot.fallbackMessage || DEFAULT_FALLBACK[lang];
      answer = {
        ...answer,
        content: answer.content ? `${answer.content}\n\n${fallback}` : fallback,
        sources: sourcesOf(hits, lang, []),
        error: describeModelFailure(lastError),
        failure,
        isFallback: true,
        finishReason: 'error',
      };
      for (const token of wordTokens(answer.content === fallback ? fallback : `\n\n${fallback}`)) yield { type: 'token', text: token };
    }
    if (!answer.isFallback) answer.sources = sourcesOf(hits, lang, citedIndexes(answer.content, hits.length));
  }
  const handsOff = input.handoff === 'bot' && input.channel !== 'playground' && lowConfidence(bot, hits);
  // The fallback asks "¿Quieres que te atienda una persona?": its buttons make the yes one tap.
  if (answer.isFallback && input.handoff === 'bot' && input.channel !== 'playground' && !handsOff) {
    answer.metadata = { ...answer.metadata, quickReplies: HANDOFF_OFFER[lang], language: lang };
  }
  await letTokensOut();
  const row = await storeAnswer(services, input, answer, started);
  const announceReply = async () => {
    await publishMessageCreated(services, row, { toVisitor: input.late });
    if (row.isFallback && row.error) await publishMessageFailed(services, row);
  };
  // A handoff is announced after the answer, so then the answer's announcement is awaited.
  await announceAnswer(services, input, announceReply, { more: handsOff });
  const handedOff = handsOff ? await requestHandoff(services, bot.organizationId, input.conversationId, 'low_confidence') : false;
  yield done(toPublicMessage(row), handedOff);
}

/** Hands the conversation to a person, announced after the visitor's message. */
async function handOff(services: Services, input: AnswerInput, reason: HandoffReason) {
  await announcedSoFar(input);
  return requestHandoff(services, input.bot.organizationId, input.conversationId, reason);
}

/** "We'll get back to you", and the conversation goes to the inbox as a request for a person. */
async function* answerOverLimit(services: Services, input: AnswerInput, lang: 'es' | 'en', started: number): AsyncGenerator<ChatEvent> {
  const answer: Answer = { content: OVER_LIMIT_MESSAGE[lang], sources: [], model: null, timeToFirstTokenMs: 0, metadata: { planLimit: 'messagesPerMonth' } };
  for (const token of wordTokens(answer.content)) yield { type: 'token', text: token };
  await letTokensOut();
  const row = await storeAnswer(services, input, answer, started);
  const handedOff = await handOff(services, input, 'plan_limit');
  await announceAnswer(services, input, () => publishMessageCreated(services, row, { toVisitor: input.late }));
  yield { type: 'done', message: toPublicMessage(row), conversationId: input.conversationId, handoff: handedOff ? 'requested' : input.handoff };
}

/**
 * The toolbox model for this message (routing.ts): a flow's task, the classifier model or the
 * bot's rules. A bot without a toolbox answers with its own model, as before.
 */
async function routeTurn(services: Services, input: AnswerInput): Promise<RoutedModel> {
  const { bot } = input;
  const toolbox = bot.toolbox ?? [];
  const routing = bot.routing ?? { mode: 'rules', rules: [] };
  return routeMessage(
    { model: bot.model, routing, toolbox },
    { text: input.text, language: languageOf(bot, input.text), channel: input.channel },
    {
      task: input.task,
      classify: async (model, text) => classifyWithModel(services, await decryptKeys(services, bot.providerKeys), model, text),
    },
  );
}

/** The bot's `handoffConfidence` (0..1): below it, the best knowledge match is not good enough. */
function lowConfidence(bot: BotRuntime, hits: SearchHit[]) {
  if (bot.handoffConfidence === null || bot.handoffConfidence === undefined || bot.handoffConfidence <= 0) return false;
  const best = hits.reduce((max, hit) => Math.max(max, hit.relevance), 0);
  return best < bot.handoffConfidence;
}

/**
 * Answers a visitor message that was stored earlier (channel webhooks store first and answer in a
 * job). Idempotent: a message that already has an answer returns that answer, never a second one.
 * Returns null when nobody should answer (a person has the conversation).
 */
export async function replyToStoredMessage(
  services: Services,
  bot: BotRuntime,
  messageId: string,
  options: { late?: boolean } = {},
): Promise<MessageRow | null> {
  const context = await loadTurnContext(services.db, bot.organizationId, messageId, bot.memorySize);
  if (!context) return null;
  if (context.existingReply) return context.existingReply;
  let reply: MessageRow | null = null;
  const events = answerTurn(services, {
    bot,
    conversationId: context.message.conversationId,
    channel: context.message.channel,
    // A voice note is answered by its transcript (or a placeholder saying it could not be heard).
    text: answerableText(context.message, bot.language),
    userMessage: context.message,
    handoff: context.handoff,
    context: { history: context.history, lastReply: context.lastReply },
    late: options.late,
  });
  for await (const event of events) {
    if (event.type === 'done' && event.message) {
      [reply] = await services.db.select().from(messages).where(eq(messages.id, event.message.id));
    }
  }
  return reply;
}
