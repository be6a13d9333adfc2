import { and, eq, sql } from 'drizzle-orm';
import { channels, contacts, conversations, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { loadBotRuntime } from '../chat/bot-runtime';
import { storeUserTurn } from '../chat/store';
import { messageEventData, publishMessageCreated } from '../conversations/events';
import { publishEvent } from '../events/publish';
import { refreshProfileWhenDue } from './profiles';
import { applyReaction, isReaction } from './reactions';
import { applyStatus } from './state';
import { DOWNLOAD_MEDIA_JOB, withPendingAttachments } from './media-download';
import type { InboundContact, InboundEdit, InboundMessage, MessageRow, ParsedWebhook, WebhookIntegration } from './types';
import { rowsOf } from '../../lib/sql';
import { redactMessageMetadata, redactText } from '../privacy/redaction';

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

/** Where a customer message lands: its conversation, and the channel identity it came from. */
interface Landing {
  conversationId: string;
  /** The contact row of this channel identity (a merged one points at the kept contact). */
  identityId: string;
  profileFetchedAt: string | null;
}

/**
 * The contact (created or refreshed) and its conversation on this integration with its current
 * bot (an open one first), created when there is none, and the channel's "last message
 * received": one statement, because this runs for every message. A contact an agent merged into
 * another stays as the channel identity: its messages land on the kept contact, and the
 * conversation remembers where replies go. Two first messages at the same moment both reach the
 * insert; the unique index on open conversations turns the second into "take the first one's row".
 */
async function conversationFor(
  services: Pick<Services, 'db'>,
  integration: WebhookIntegration & { botId: string },
  contact: InboundContact,
  threadRefs?: string[],
): Promise<Landing> {
  // Email threads: the conversation holding a message this one answers, for the same sender;
  // otherwise only an open conversation continues (elsewhere an open one first, then the latest).
  const threaded = threadRefs !== undefined;
  const refs = threadRefs && threadRefs.length > 0 ? threadRefs : ['<none>'];
  const row = await firstRow<{ conversation_id: string; identity_id: string; profile_fetched_at: string | null }>(
    services,
    sql`with ct as (
        insert into ${contacts} (organization_id, channel, external_id, name, phone, email, attributes, last_seen_at)
        values (${integration.organizationId}, ${integration.platform}::channel_kind, ${contact.externalId}, ${contact.name ?? null},
                ${contact.phone ?? null}, ${contact.email ?? null}, ${JSON.stringify(contact.attributes ?? {})}::jsonb, now())
        on conflict (organization_id, channel, external_id) do update set
          name = coalesce(excluded.name, ${contacts.name}),
          phone = coalesce(excluded.phone, ${contacts.phone}),
          email = coalesce(excluded.email, ${contacts.email}),
          attributes = ${contacts.attributes} || excluded.attributes,
          last_seen_at = now(), updated_at = now()
        returning id, merged_into_id, attributes->>'profileFetchedAt' as profile_fetched_at),
      person as (select coalesce(ct.merged_into_id, ct.id) as id, ct.merged_into_id is not null as merged from ct),
      by_thread as (
        select c.id from ${messages} m join ${conversations} c on c.id = m.conversation_id, person
        where ${threaded} and m.organization_id = ${integration.organizationId} and m.channel = ${integration.platform}::channel_kind
          and m.external_id in ${refs} and c.contact_id = person.id and c.channel_id = ${integration.id}
        order by m.created_at desc limit 1),
      latest as (
        select c.id from ${conversations} c, person
        where c.organization_id = ${integration.organizationId} and c.contact_id = person.id
          and c.channel_id = ${integration.id} and c.bot_id = ${integration.botId}
          and (not ${threaded} or c.status in ('open', 'pending'))
        order by (c.status in ('open', 'pending')) desc, c.created_at desc limit 1),
      existing as (select coalesce((select id from by_thread), (select id from latest)) as id where exists (select 1 from by_thread) or exists (select 1 from latest)),
      created as (
        insert into ${conversations} (organization_id, bot_id, contact_id, channel_id, channel, metadata)
        select ${integration.organizationId}, ${integration.botId}, person.id, ${integration.id}, ${integration.platform}::channel_kind,
          case when person.merged then jsonb_build_object('recipientExternalId', ${contact.externalId}::text) else '{}'::jsonb end
        from person where not exists (select 1 from existing)
        on conflict (contact_id, channel_id, bot_id) where channel_id is not null and status in ('open', 'pending')
          do update set updated_at = ${conversations.updatedAt}
        returning id),
      touched as (update ${channels} set last_message_at = now() where id = ${integration.id} returning 1)
      select coalesce((select id from existing), (select id from created)) as conversation_id,
        (select id from ct) as identity_id, (select profile_fetched_at from ct) as profile_fetched_at`,
  );
  if (!row?.conversation_id) throw new Error('conversation was neither found nor created');
  return { conversationId: row.conversation_id, identityId: row.identity_id, profileFetchedAt: row.profile_fetched_at };
}

async function enqueueReply(services: Services, messageId: string) {
  await services.queue.enqueue(REPLY_JOB, { messageId }, { deduplicationId: `${REPLY_JOB}:${messageId}` });
}

/**
 * A platform redelivered a message we already have. Its reply is queued again under the same
 * deduplication id: if the first delivery stopped between storing and queueing, this is what
 * answers it; otherwise the queue (or the idempotent job) drops it.
 */
async function onRedelivery(services: Services, integration: WebhookIntegration, message: InboundMessage, answering: boolean, files: number) {
  if (files === 0 && (!message.answer || !answering)) return;
  const [stored] = await services.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.organizationId, integration.organizationId), eq(messages.channel, integration.platform), eq(messages.externalId, message.externalId)))
    .limit(1);
  if (!stored) return;
  // A message with files is answered by its download job, which is queued again instead.
  if (files > 0) await services.queue.enqueue(DOWNLOAD_MEDIA_JOB, { messageId: stored.id, reply: message.answer && answering });
  else await enqueueReply(services, stored.id);
}

/** Runs on a message just stored, before the inbox hears of it or the reply is queued (email stores its attachments). */
export type OnStored = (message: InboundMessage, row: MessageRow, options: { redacting: boolean }) => Promise<MessageRow>;

async function storeMessage(
  services: Services,
  integration: WebhookIntegration & { botId: string },
  message: InboundMessage,
  answering: boolean,
  redacting: boolean,
  onStored?: OnStored,
): Promise<boolean> {
  const landing = await conversationFor(services, integration, message.contact, message.threadRefs);
  const { conversationId } = landing;
  // Files are listed as pending and fetched by a job: a download never holds up the webhook's 200.
  const media = withPendingAttachments(integration.platform, message);
  const turn = await storeUserTurn(
    services.db,
    {
      organizationId: integration.organizationId,
      conversationId,
      role: 'user',
      // With redaction on, the customer's text is masked before it is ever stored.
      content: await redactText(services, redacting, message.content),
      contentType: message.contentType,
      // Captions and filenames name people too (the download job keys blobs by the masked name).
      metadata: await redactMessageMetadata(services, redacting, media.metadata),
      channel: integration.platform,
      externalId: message.externalId,
    },
    // The reply job reads its own history; the webhook needs none.
    0,
  );
  if (!turn) {
    await onRedelivery(services, integration, message, answering, media.files);
    return false;
  }
  const stored = onStored ? await onStored(message, turn.stored, { redacting }) : turn.stored;
  const reply = message.answer && answering;
  // With files, the answer waits for them (the model may read them): the download job queues it.
  if (media.files > 0) await services.queue.enqueue(DOWNLOAD_MEDIA_JOB, { messageId: stored.id, reply });
  else if (reply) await enqueueReply(services, stored.id);
  await refreshProfileWhenDue(services, integration, landing.identityId, landing.profileFetchedAt);
  if (turn.messageCount === 1) {
    await publishEvent(services, integration.organizationId, 'conversation.created', { conversationId, channel: integration.platform });
  }
  await publishMessageCreated(services, stored);
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

export async function storeInbound(services: Services, integration: WebhookIntegration, parsed: ParsedWebhook, onStored?: OnStored): Promise<InboundOutcome> {
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
        // A reaction belongs on the message it reacts to, not in the thread as something to answer.
        if (isReaction(message)) {
          if (await applyReaction(services, integration, message)) outcome.stored += 1;
          else outcome.ignored += 1;
        } else if (await storeMessage(services, linked, message, answering, bot.redactPii === true, onStored)) outcome.stored += 1;
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
