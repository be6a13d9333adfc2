import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import { contacts, conversations, documents, messages, webhookDeliveries } from '../../../db/schema';
import type { Services } from '../../ports';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import { deleteDocument } from '../knowledge/documents';
import { eraseFromEventStreams } from '../events/erase';
import { attachmentsOf, blobKeysOf, deleteBlobs } from './files';
import { forgetApiConversations } from '../chat/api-chat';

/**
 * One person's data, for the right of access (export) and the right to erasure (erase): the
 * contact with its attributes, its conversations and their messages, the files it sent (message
 * attachments, and knowledge documents recorded as uploaded by it, `documents.metadata.contactId`,
 * whose vectors go with them), and the events about its conversations that outgoing webhooks
 * keep (`webhook_deliveries`). Analytics keep their daily counts (`daily_metrics` rows hold no
 * person, only numbers), so erasing a contact changes no chart.
 */
type ContactRow = typeof contacts.$inferSelect;

async function findContact(services: Pick<Services, 'db'>, organizationId: string, contactId: string): Promise<ContactRow> {
  const [contact] = await services.db.select().from(contacts).where(inOrg(contacts, organizationId, eq(contacts.id, contactId)));
  if (!contact) throw new ApiError('not_found', 'Contact not found');
  return contact;
}

/** Documents the contact uploaded: marked on the document, or referenced by one of its messages' attachments. */
async function uploadedDocuments(services: Pick<Services, 'db'>, organizationId: string, contactId: string, referencedIds: string[]) {
  return services.db
    .select({ id: documents.id, knowledgeBaseId: documents.knowledgeBaseId, name: documents.name, mimeType: documents.mimeType, sizeBytes: documents.sizeBytes, createdAt: documents.createdAt })
    .from(documents)
    .where(
      inOrg(
        documents,
        organizationId,
        or(sql`${documents.metadata}->>'contactId' = ${contactId}`, referencedIds.length > 0 ? inArray(documents.id, referencedIds) : undefined),
      ),
    );
}

/** Webhook events about these conversations (their stored payloads carry message text). */
function eventsAbout(organizationId: string, conversationIds: string[]) {
  return inOrg(webhookDeliveries, organizationId, inArray(sql`${webhookDeliveries.payload}->'data'->>'conversationId'`, conversationIds));
}

function documentIdsIn(metadata: Record<string, unknown>): string[] {
  return attachmentsOf(metadata).flatMap((a) => {
    const id = (a as { documentId?: unknown }).documentId;
    return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? [id] : [];
  });
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Everything about one contact, as JSON (what GET /contacts/{id}/export answers). */
export async function exportContact(services: Pick<Services, 'db'>, organizationId: string, contactId: string) {
  const contact = await findContact(services, organizationId, contactId);
  const convs = await services.db
    .select()
    .from(conversations)
    .where(inOrg(conversations, organizationId, eq(conversations.contactId, contactId)))
    .orderBy(asc(conversations.createdAt));
  const ids = convs.map((c) => c.id);
  const msgs =
    ids.length === 0
      ? []
      : await services.db
          .select()
          .from(messages)
          .where(inOrg(messages, organizationId, inArray(messages.conversationId, ids)))
          .orderBy(asc(messages.createdAt), asc(messages.id));
  const events =
    ids.length === 0
      ? []
      : await services.db
          .select({ id: webhookDeliveries.eventId, type: webhookDeliveries.event, payload: webhookDeliveries.payload, createdAt: webhookDeliveries.createdAt })
          .from(webhookDeliveries)
          .where(eventsAbout(organizationId, ids))
          .orderBy(asc(webhookDeliveries.createdAt));
  const files = await uploadedDocuments(services, organizationId, contactId, msgs.flatMap((m) => documentIdsIn(m.metadata)));
  const byConversation = new Map<string, typeof msgs>();
  for (const m of msgs) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  // One event reaches every endpoint: it is listed once.
  const uniqueEvents = [...new Map(events.map((e) => [e.id, e])).values()];
  return {
    exportedAt: new Date().toISOString(),
    contact: {
      id: contact.id,
      channel: contact.channel,
      externalId: contact.externalId,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      attributes: contact.attributes,
      lastSeenAt: iso(contact.lastSeenAt),
      createdAt: contact.createdAt.toISOString(),
      updatedAt: contact.updatedAt.toISOString(),
    },
    conversations: convs.map((c) => ({
      id: c.id,
      botId: c.botId,
      channel: c.channel,
      status: c.status,
      tags: c.tags,
      rating: c.rating,
      feedback: c.feedback,
      createdAt: c.createdAt.toISOString(),
      resolvedAt: iso(c.resolvedAt),
      messages: (byConversation.get(c.id) ?? []).map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        contentType: m.contentType,
        feedback: m.feedback,
        createdAt: m.createdAt.toISOString(),
        attachments: attachmentsOf(m.metadata).map((a) => ({
          kind: a.kind ?? null,
          filename: a.filename ?? null,
          mimeType: a.mimeType ?? null,
          size: a.size ?? null,
          status: a.status ?? null,
          stored: Boolean(a.blobKey),
        })),
      })),
    })),
    files: files.map((f) => ({ id: f.id, knowledgeBaseId: f.knowledgeBaseId, name: f.name, mimeType: f.mimeType, sizeBytes: f.sizeBytes, createdAt: f.createdAt.toISOString() })),
    events: uniqueEvents.map((e) => ({ id: e.id, type: e.type, createdAt: e.createdAt.toISOString(), data: (e.payload.data ?? {}) as Record<string, unknown> })),
  };
}

export type ContactExport = Awaited<ReturnType<typeof exportContact>>;

export interface ErasureCounts {
  conversations: number;
  messages: number;
  files: number;
  documents: number;
  events: number;
  /** Entries of the live event streams' log that named the contact's conversations. */
  streamEntries: number;
}

/** How many of the contact's messages go per statement: a person with years of chats does not hold one long lock. */
const ERASE_BATCH = 2000;

/**
 * Deletes everything about one contact. Files and vectors first (their keys are read from the
 * rows about to go), then events, messages in batches, conversations and the contact. Safe to
 * retry: each step deletes what is still there.
 */
export async function eraseContact(services: Services, organizationId: string, contactId: string): Promise<ErasureCounts> {
  await findContact(services, organizationId, contactId);
  const counts: ErasureCounts = { conversations: 0, messages: 0, files: 0, documents: 0, events: 0, streamEntries: 0 };
  const convs = await services.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(inOrg(conversations, organizationId, eq(conversations.contactId, contactId)));
  const ids = convs.map((c) => c.id);
  const withMetadata =
    ids.length === 0
      ? []
      : await services.db
          .select({ metadata: messages.metadata })
          .from(messages)
          .where(inOrg(messages, organizationId, inArray(messages.conversationId, ids), sql`${messages.metadata} ? 'attachments'`));
  const docs = await uploadedDocuments(services, organizationId, contactId, withMetadata.flatMap((m) => documentIdsIn(m.metadata)));
  for (const doc of docs) {
    // Rows, chunks, vectors and original (knowledge/documents.ts): gone from retrieval at once.
    await deleteDocument(services, organizationId, doc.knowledgeBaseId, doc.id);
    counts.documents += 1;
  }
  counts.files = await deleteBlobs(services, withMetadata.flatMap((m) => blobKeysOf(m.metadata)));
  if (ids.length > 0) {
    counts.events = (await services.db.delete(webhookDeliveries).where(eventsAbout(organizationId, ids)).returning({ id: webhookDeliveries.id })).length;
    for (;;) {
      const batch = await services.db
        .select({ id: messages.id })
        .from(messages)
        .where(inOrg(messages, organizationId, inArray(messages.conversationId, ids)))
        .limit(ERASE_BATCH);
      if (batch.length === 0) break;
      await services.db.delete(messages).where(inArray(messages.id, batch.map((m) => m.id)));
      counts.messages += batch.length;
    }
    counts.conversations = (
      await services.db.delete(conversations).where(inOrg(conversations, organizationId, inArray(conversations.id, ids))).returning({ id: conversations.id })
    ).length;
  }
  await services.db.delete(contacts).where(and(eq(contacts.organizationId, organizationId), eq(contacts.id, contactId)));
  await forgetApiConversations(services, organizationId);
  // Last, so no event published meanwhile by this erasure's own rows stays behind in the log.
  counts.streamEntries = await eraseFromEventStreams(services, organizationId, { contactId, conversationIds: ids });
  return counts;
}
