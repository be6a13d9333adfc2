import { and, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { channels, contacts, conversations, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { messageEventData, publishMessageFailed } from '../conversations/events';
import { publishEvent } from '../events/publish';
import type { DeliveryStatus, MessageRow, Platform, StatusUpdate, WebhookIntegration } from './types';

/**
 * What the channel's status page shows (last message, last error) and how a message's delivery
 * status moves. Receipts arrive out of order (a "read" can beat its "delivered"), so a status only
 * ever moves forward: pending < sent < delivered < read, and failed ends it.
 */
const rank = (column: SQL | typeof messages.deliveryStatus) =>
  sql`(case ${column} when 'pending' then 0 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'failed' then 4 else -1 end)`;

const movesForward = (status: DeliveryStatus) => sql`${rank(messages.deliveryStatus)} < ${rank(sql`${status}`)}`;

/**
 * A permanent problem on the channel: shown on its status. A refused token also puts it in
 * error (it still receives, so customers' messages reach the inbox while an admin fixes it).
 */
export async function noteChannelError(services: Pick<Services, 'db' | 'kv'>, integrationId: string, reason: string, credentialsRejected = false) {
  await services.db
    .update(channels)
    .set({ lastError: reason, lastErrorAt: new Date(), ...(credentialsRejected ? { status: 'error' as const } : {}) })
    .where(eq(channels.id, integrationId));
  if (credentialsRejected) await forgetIntegration(services, integrationId);
}

const cacheKey = (integrationId: string) => `channel-integration:${integrationId}`;
const CACHE_SECONDS = 60;

/** The columns an inbound delivery needs of its channel (`WebhookIntegration`), found by `where`. */
export async function findWebhookIntegration(services: Pick<Services, 'db'>, where: SQL): Promise<WebhookIntegration | null> {
  const [row] = await services.db
    .select({
      id: channels.id,
      organizationId: channels.organizationId,
      botId: channels.botId,
      platform: channels.platform,
      status: channels.status,
      credentialsEncrypted: channels.credentialsEncrypted,
      settings: channels.settings,
    })
    .from(channels)
    .where(where)
    .limit(1);
  return row ?? null;
}

/**
 * The integration a webhook URL names, cached for a minute: every inbound message needs it, and a
 * KV read is cheaper than a query (on the edge, a network round trip to Neon). Every write to an
 * integration calls `forgetIntegration`. Only the ciphertext of the credentials is cached.
 */
export async function loadWebhookIntegration(services: Pick<Services, 'db' | 'kv'>, platform: Platform, integrationId: string): Promise<WebhookIntegration | null> {
  let integration = await services.kv.get<WebhookIntegration>(cacheKey(integrationId));
  if (!integration) {
    const row = await findWebhookIntegration(services, eq(channels.id, integrationId));
    if (!row) return null;
    integration = row;
    await services.kv.set(cacheKey(integrationId), integration, { ttlSeconds: CACHE_SECONDS });
  }
  return integration.platform === platform ? integration : null;
}

export async function forgetIntegration(services: Pick<Services, 'kv'>, integrationId: string) {
  await services.kv.del(cacheKey(integrationId));
}

async function announce(services: Services, integration: WebhookIntegration, rows: MessageRow[]) {
  for (const row of rows) {
    await publishEvent(services, row.organizationId, 'message.updated', messageEventData(row));
    if (row.deliveryStatus === 'failed') {
      await publishMessageFailed(services, row);
      await noteChannelError(services, integration.id, row.error ?? 'A message could not be delivered');
    }
  }
}

/** Applies one receipt to our outbound messages; returns how many changed. */
export async function applyStatus(services: Services, integration: WebhookIntegration, update: StatusUpdate): Promise<number> {
  const { db } = services;
  const ours = and(
    eq(messages.organizationId, integration.organizationId),
    eq(messages.channel, integration.platform),
    inArray(messages.role, ['assistant', 'agent']),
    movesForward(update.status),
  );
  let rows: MessageRow[];
  if (update.kind === 'message') {
    rows = await db
      .update(messages)
      .set({ deliveryStatus: update.status, ...(update.status === 'failed' ? { error: update.error ?? 'The platform reported a delivery failure' } : {}) })
      .where(and(ours, eq(messages.externalId, update.externalId)))
      .returning();
  } else {
    // Messenger's watermark: everything we sent this person on this channel before it.
    const theirConversations = db
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(
        and(
          eq(conversations.organizationId, integration.organizationId),
          eq(conversations.channelId, integration.id),
          // A merged contact's conversations name the identity they came from (contacts/merge.ts).
          sql`coalesce(${conversations.metadata}->>'recipientExternalId', ${contacts.externalId}) = ${update.contactExternalId}`,
        ),
      );
    rows = await db
      .update(messages)
      .set({ deliveryStatus: update.status })
      .where(
        and(
          ours,
          inArray(messages.deliveryStatus, ['sent', 'delivered']),
          inArray(messages.conversationId, theirConversations),
          lte(messages.createdAt, new Date(update.watermark)),
        ),
      )
      .returning();
  }
  await announce(services, integration, rows);
  return rows.length;
}
