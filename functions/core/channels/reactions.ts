import { and, eq, sql } from 'drizzle-orm';
import { messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { messageEventData } from '../conversations/events';
import { publishEvent } from '../events/publish';
import type { InboundMessage, MessageRow, WebhookIntegration } from './types';

/**
 * A customer's reaction (WhatsApp `reaction`, Messenger/Instagram `reaction` events, Telegram
 * `message_reaction`) is stored on the message it reacts to, in `metadata.reactions`, one per
 * person: a new emoji replaces their old one and a removal takes it away. It is never a message of
 * its own, so it raises no unread count, is not the conversation's preview and gets no answer.
 */
export interface StoredReaction {
  emoji: string;
  /** The platform id of who reacted (the contact; in a Telegram group, the member). */
  from: string;
  at: string;
}

interface ReactionChange {
  targetExternalId: string;
  /** Null when the reaction was removed. */
  emoji: string | null;
  from: string;
}

export const isReaction = (message: InboundMessage) => message.contentType === 'reaction';

/** The parsers' reaction metadata, whatever the platform, as "who set which emoji on what". */
export function reactionChange(message: InboundMessage): ReactionChange | null {
  const reaction = (message.metadata.reaction ?? {}) as { targetExternalId?: unknown; emoji?: unknown; action?: unknown; from?: unknown };
  if (typeof reaction.targetExternalId !== 'string' || !reaction.targetExternalId) return null;
  const removed = reaction.action === 'unreact' || typeof reaction.emoji !== 'string' || reaction.emoji === '';
  return {
    targetExternalId: reaction.targetExternalId,
    emoji: removed ? null : (reaction.emoji as string),
    from: typeof reaction.from === 'string' ? reaction.from : message.contact.externalId,
  };
}

/** Replaces this person's reaction on the target (ours or the customer's); returns whether a message was found. */
export async function applyReaction(services: Services, integration: WebhookIntegration, message: InboundMessage): Promise<boolean> {
  const change = reactionChange(message);
  if (!change) return false;
  const added = change.emoji === null ? [] : [{ emoji: change.emoji, from: change.from, at: new Date().toISOString() } satisfies StoredReaction];
  const rows: MessageRow[] = await services.db
    .update(messages)
    .set({
      metadata: sql`jsonb_set(${messages.metadata}, '{reactions}',
        coalesce((select jsonb_agg(r) from jsonb_array_elements(coalesce(${messages.metadata}->'reactions', '[]'::jsonb)) r where r->>'from' <> ${change.from}), '[]'::jsonb)
        || ${JSON.stringify(added)}::jsonb)`,
    })
    .where(
      and(
        eq(messages.organizationId, integration.organizationId),
        eq(messages.channel, integration.platform),
        // Our split replies answer to every part's id, not only the first.
        sql`(${messages.externalId} = ${change.targetExternalId} or ${messages.metadata}->'platformMessageIds' @> jsonb_build_array(${change.targetExternalId}::text))`,
      ),
    )
    .returning();
  for (const row of rows) await publishEvent(services, row.organizationId, 'message.updated', messageEventData(row));
  return rows.length > 0;
}
