import { and, eq, ne, sql } from 'drizzle-orm';
import { conversations } from '../../../db/schema';
import type { Services } from '../../ports';
import { publishEvent } from '../events/publish';

/**
 * Handing a conversation to people. The bot asks for it when the visitor asks for a human, or
 * when its knowledge is not confident enough (the bot's `handoffConfidence`); an agent takes it
 * (the bot goes silent) and can hand it back.
 */
export type HandoffReason = 'visitor_request' | 'low_confidence' | 'agent' | 'plan_limit';

const HUMAN_REQUEST_PATTERNS = [
  /\b(hablar|habla|hable|comunicarme|comunicar|p[aá]same|pasar|pasarme|contactar|quiero|necesito|atienda|atender)\b.{0,40}\b(persona|humano|agente|asesor|operador|alguien)\b/i,
  /\b(talk|speak|chat|connect|transfer|put me through)\b.{0,40}\b(human|person|agent|representative|someone|operator|somebody)\b/i,
  /^\s*(un\s+)?(humano|agente|persona|asesor|human|agent|operator|representative)\s*(por favor|please)?\s*[.!?]*\s*$/i,
];

export function asksForHuman(text: string) {
  return HUMAN_REQUEST_PATTERNS.some((pattern) => pattern.test(text));
}

/** A button under a bot message; a tap comes back as a visitor message carrying its id. */
export interface QuickReply {
  id: string;
  label: string;
}

export const HANDOFF_YES = 'handoff.yes';
export const HANDOFF_NO = 'handoff.no';

/** The buttons under an answer that offers a person (the fallback "¿Quieres que te atienda una persona?"). */
export const HANDOFF_OFFER: Record<'es' | 'en', QuickReply[]> = {
  // Labels fit WhatsApp's and Messenger's 20-character button titles.
  es: [
    { id: HANDOFF_YES, label: 'Sí, con una persona' },
    { id: HANDOFF_NO, label: 'No, gracias' },
  ],
  en: [
    { id: HANDOFF_YES, label: 'Yes, a person' },
    { id: HANDOFF_NO, label: 'No, thanks' },
  ],
};

/** Platforms without buttons (or a message too long for them) get the offer as a line of text. */
export const HANDOFF_OFFER_HINT = {
  es: 'Responde «sí» para hablar con una persona.',
  en: 'Reply "yes" to talk to a person.',
};

export const DECLINED_MESSAGE = {
  es: 'De acuerdo. Si necesitas algo más, escríbeme por aquí.',
  en: 'All right. If you need anything else, just write here.',
};

const AFFIRMATIVE_START = /^(si+|vale|claro|ok|okay|okey|oki|dale|venga|perfecto|de acuerdo|por supuesto|por favor|porfa|yes|yeah|yep|yup|sure|please|of course|alright|all right)\b/;
const NEGATIVE_START = /^(no|nope|nah|no thanks|no gracias|mejor no|not now|ahora no)\b/;

/** Lowercase, no accents on vowels, no punctuation or emoji: "¡Sí, por favor! 🙏" -> "si por favor". */
function normalizeReply(text: string) {
  return text
    .toLowerCase()
    .replace(/[áàä]/g, 'a')
    .replace(/[éèë]/g, 'e')
    .replace(/[íìï]/g, 'i')
    .replace(/[óòö]/g, 'o')
    .replace(/[úùü]/g, 'u')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** How a visitor answers the offer of a person: a short yes or no, not a new question. */
export function replyToOffer(text: string): 'yes' | 'no' | null {
  if (text.includes('?')) return null;
  const reply = normalizeReply(text);
  const words = reply.split(' ').length;
  if (words === 0 || words > 6) return null;
  if (NEGATIVE_START.test(reply)) return 'no';
  if (AFFIRMATIVE_START.test(reply) && !/\b(no|not)\b/.test(reply)) return 'yes';
  return null;
}

/** The button id a tap carried, whatever the platform: widget, WhatsApp, Telegram, Messenger/Instagram. */
export function tappedReplyId(metadata: Record<string, unknown> | null | undefined): string | null {
  if (!metadata) return null;
  const nested = (key: string, field: string) => {
    const value = metadata[key];
    return value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  };
  const candidates = [metadata.quickReplyId, nested('interactive', 'id'), nested('button', 'payload'), metadata.data, nested('quickReply', 'payload'), nested('postback', 'payload')];
  const id = candidates.find((value): value is string => typeof value === 'string' && value !== '');
  return id ?? null;
}

/** Did this bot message offer a person (its buttons say so)? */
export function offeredHandoff(metadata: Record<string, unknown> | null | undefined) {
  const replies = metadata?.quickReplies;
  return Array.isArray(replies) && replies.some((reply) => (reply as QuickReply)?.id === HANDOFF_YES);
}

/** Past the plan's monthly answers: no bot answer, the conversation waits in the inbox for a person. */
export const OVER_LIMIT_MESSAGE = {
  es: 'Gracias por tu mensaje. Una persona del equipo te responderá aquí mismo lo antes posible.',
  en: 'Thanks for your message. Someone from our team will get back to you right here as soon as possible.',
};

export const HANDOFF_MESSAGE = {
  es: 'Te paso con una persona del equipo. Te responderán aquí mismo en cuanto puedan.',
  en: 'I am passing you to a person on our team. They will reply right here as soon as they can.',
};

/**
 * Marks the conversation as waiting for a person (unless a person already has it) and notifies
 * agents through the live stream and the `conversation.handoff` event. Returns false when nothing
 * changed (already requested or taken).
 */
export async function requestHandoff(services: Services, organizationId: string, conversationId: string, reason: HandoffReason) {
  const [updated] = await services.db
    .update(conversations)
    .set({
      handoff: 'requested',
      handoffReason: reason,
      handedOffAt: sql`coalesce(${conversations.handedOffAt}, now())`,
      status: sql`case when ${conversations.status} in ('resolved', 'closed') then 'open'::conversation_status else ${conversations.status} end`,
    })
    .where(and(eq(conversations.id, conversationId), eq(conversations.organizationId, organizationId), eq(conversations.handoff, 'bot')))
    .returning({ id: conversations.id, botId: conversations.botId, channel: conversations.channel, status: conversations.status, assigneeId: conversations.assigneeId });
  if (!updated) return false;
  await publishEvent(services, organizationId, 'conversation.handoff', {
    conversationId,
    reason,
    conversation: { ...updated, handoff: 'requested' },
  });
  return true;
}

/** A person takes the conversation (the bot goes silent) or gives it back to the bot. */
export async function setHandoff(
  services: Services,
  organizationId: string,
  conversationId: string,
  state: 'human' | 'bot',
  userId: string,
) {
  const [updated] = await services.db
    .update(conversations)
    .set(
      state === 'human'
        ? {
            handoff: 'human',
            handedOffAt: sql`coalesce(${conversations.handedOffAt}, now())`,
            handoffReason: sql`coalesce(${conversations.handoffReason}, 'agent')`,
            assigneeId: sql`coalesce(${conversations.assigneeId}, ${userId}::uuid)`,
          }
        : { handoff: 'bot' },
    )
    .where(and(eq(conversations.id, conversationId), eq(conversations.organizationId, organizationId), ne(conversations.handoff, state)))
    .returning({ id: conversations.id });
  return Boolean(updated);
}
