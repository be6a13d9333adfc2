import { and, eq, ne, sql } from 'drizzle-orm';
import { conversations } from '../../../db/schema';
import type { Services } from '../../ports';
import { publishEvent } from '../events/publish';

/**
 * Handing a conversation to people. The bot asks for it when the visitor asks for a human, or
 * when its knowledge is not confident enough (the bot's `handoffConfidence`); an agent takes it
 * (the bot goes silent) and can hand it back.
 */
export type HandoffReason = 'visitor_request' | 'low_confidence' | 'agent';

const HUMAN_REQUEST_PATTERNS = [
  /\b(hablar|habla|hable|comunicarme|comunicar|p[aá]same|pasar|pasarme|contactar|quiero|necesito|atienda|atender)\b.{0,40}\b(persona|humano|agente|asesor|operador|alguien)\b/i,
  /\b(talk|speak|chat|connect|transfer|put me through)\b.{0,40}\b(human|person|agent|representative|someone|operator|somebody)\b/i,
  /^\s*(un\s+)?(humano|agente|persona|asesor|human|agent|operator|representative)\s*(por favor|please)?\s*[.!?]*\s*$/i,
];

export function asksForHuman(text: string) {
  return HUMAN_REQUEST_PATTERNS.some((pattern) => pattern.test(text));
}

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
