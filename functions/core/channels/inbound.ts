import { and, eq, sql } from 'drizzle-orm';
import { channels, contacts, conversations, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { loadBotRuntime } from '../chat/bot-runtime';
import { storeUserTurn } from '../chat/store';
import { messageEventData, publishMessageCreated } from '../conversations/events';
import { publishEvent } from '../events/publish';
import { applyStatus } from './state';
import type { InboundContact, InboundEdit, InboundMessage, MessageRow, ParsedWebhook, WebhookIntegration } from './types';
import { rowsOf } from '../../lib/sql';
import { redactText } from '../privacy/redaction';

/**
 * Storing what a verified webhook carried: each customer message in order (contact and
 * conversation found or created, the message stored once per platform id, the inbox told, the
 * reply queued), edits, and receipts. Nothing here calls a platform: the webhook must answer fast,
 * so replies are jobs.
 */
export interface InboundOutcome {
  stored: number;
  duplicates: number;
  edits: number;
  statuses: number;
  ignored: number;
}

export const REPLY_JOB = 'channel-reply';

async function firstRow<T>(services: Pick<Services, 'db'>, query: ReturnType<typeof sql>): Promise<T | undefined> {
  return (await rowsOf<T>(services.db, query))[0];
}

/**
 * The contact (created or refreshed) and its latest conversation on this integration with its
 * current bot, created when there is none, and the channel's "last message received": one
 * statement, because this runs for every message.
 */
async function conversationFor(services: Pick<Services, 'db'>, integration: WebhookIntegration & { botId: string }, contact: InboundContact) {
  const row = await firstRow<{ conversation_id: string }>(
    services,
    sql`with ct as (
        insert into ${contacts} (organization_id, channel, external_id, name, phone, attributes, last_seen_at)
        values (${integration.organizationId}, ${integration.platform}::channel_kind, ${contact.externalId}, ${contact.name ?? null},
                ${contact.phone ?? null}, ${JSON.stringify(contact.attributes ?? {})}::jsonb, now())
        on conflict (organization_id, channel, external_id) do update set
          name = coalesce(excluded.name, ${contacts.name}),
          phone = coalesce(excluded.phone, ${contacts.phone}),
          attributes = ${contacts.attributes} || excluded.attributes,
          last_seen_at = now(), updated_at = now()
        returning id),
      existing as (
        select c.id from ${conversations} c, ct
        where c.organization_id = ${integration.organizationId} and c.contact_id = ct.id
          and c.channel_id = ${integration.id} and c.bot_id = ${integration.botId}
        order by c.created_at desc limit 1),
      created as (
        insert into ${conversations} (organization_id, bot_id, contact_id, channel_id, channel)
        select ${integration.organizationId}, ${integration.botId}, ct.id, ${integration.id}, ${integration.platform}::channel_kind
        from ct where not exists (select 1 from existing)
        returning id),
      touched as (update ${channels} set last_message_at = now() where id = ${integration.id} returning 1)
      select coalesce((select id from existing), (select id from created)) as conversation_id`,
  );
  if (!row?.conversation_id) throw new Error('conversation was neither found nor created');
  return row.conversation_id;
}

async function enqueueReply(services: Services, messageId: string) {
  await services.queue.enqueue(REPLY_JOB, { messageId }, { deduplicationId: `${REPLY_JOB}:${messageId}` });
}

/**
 * A platform redelivered a message we already have. Its reply is queued again under the same
 * deduplication id: if the first delivery stopped between storing and queueing, this is what
 * answers it; otherwise the queue (or the idempotent job) drops it.
 */
async function onRedelivery(services: Services, integration: WebhookIntegration, message: InboundMessage, answering: boolean) {
  if (!message.answer || !answering) return;
  const [stored] = await services.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.organizationId, integration.organizationId), eq(messages.channel, integration.platform), eq(messages.externalId, message.externalId)))
    .limit(1);
  if (stored) await enqueueReply(services, stored.id);
}

async function storeMessage(
  services: Services,
  integration: WebhookIntegration & { botId: string },
  message: InboundMessage,
  answering: boolean,
  redacting: boolean,
): Promise<boolean> {
  const conversationId = await conversationFor(services, integration, message.contact);
  const turn = await storeUserTurn(
    services.db,
    {
      organizationId: integration.organizationId,
      conversationId,
      role: 'user',
      // With redaction on, the customer's text is masked before it is ever stored.
      content: await redactText(services, redacting, message.content),
      contentType: message.contentType,
      metadata: message.metadata,
      channel: integration.platform,
      externalId: message.externalId,
    },
    // The reply job reads its own history; the webhook needs none.
    0,
  );
  if (!turn) {
    await onRedelivery(services, integration, message, answering);
    return false;
  }
  if (message.answer && answering) await enqueueReply(services, turn.stored.id);
  if (turn.messageCount === 1) {
    await publishEvent(services, integration.organizationId, 'conversation.created', { conversationId, channel: integration.platform });
  }
  await publishMessageCreated(services, turn.stored);
  return true;
}

/** The customer's new text replaces the old, which is kept in `metadata.edits`; a replayed edit changes nothing. */
async function applyEdit(services: Services, integration: WebhookIntegration, edit: InboundEdit, redacting: boolean): Promise<boolean> {
  const content = await redactText(services, redacting, edit.content);
  const rows: MessageRow[] = await services.db
    .update(messages)
    .set({
      content,
      metadata: sql`${messages.metadata} || jsonb_build_object(
        'edited', true, 'editedAt', ${edit.editedAt}::text,
        'edits', coalesce(${messages.metadata}->'edits', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('content', ${messages.content}, 'until', ${edit.editedAt}::text)))`,
    })
    .where(
      and(
        eq(messages.organizationId, integration.organizationId),
        eq(messages.channel, integration.platform),
        eq(messages.externalId, edit.externalId),
        eq(messages.role, 'user'),
        sql`coalesce(${messages.metadata}->>'editedAt', '') < ${edit.editedAt}`,
      ),
    )
    .returning();
  for (const row of rows) await publishEvent(services, row.organizationId, 'message.updated', messageEventData(row));
  return rows.length > 0;
}

export async function storeInbound(services: Services, integration: WebhookIntegration, parsed: ParsedWebhook): Promise<InboundOutcome> {
  const outcome: InboundOutcome = { stored: 0, duplicates: 0, edits: 0, statuses: 0, ignored: parsed.ignored };
  if (parsed.messages.length > 0) {
    // Conversations belong to a bot: without one (never linked, or deleted since the integration
    // was cached) there is nowhere to put the messages.
    const bot = integration.botId ? await loadBotRuntime(services, integration.botId) : null;
    if (!bot) {
      outcome.ignored += parsed.messages.length;
    } else {
      const linked = { ...integration, botId: bot.id };
      // The inbox gets the messages either way; only a deployed bot answers them.
      const answering = bot.status === 'active';
      // In order: a customer's "hi" then "I need help" must land (and be answered) in that order.
      for (const message of parsed.messages) {
        if (await storeMessage(services, linked, message, answering, bot.redactPii === true)) outcome.stored += 1;
        else outcome.duplicates += 1;
      }
    }
  }
  if (parsed.edits.length > 0) {
    const bot = integration.botId ? await loadBotRuntime(services, integration.botId) : null;
    for (const edit of parsed.edits) if (await applyEdit(services, integration, edit, bot?.redactPii === true)) outcome.edits += 1;
  }
  for (const status of parsed.statuses) outcome.statuses += await applyStatus(services, integration, status);
  return outcome;
}
