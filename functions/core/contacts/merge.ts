import { and, desc, eq, ilike, isNull, ne, or, sql } from 'drizzle-orm';
import { contacts, conversations } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { forgetApiConversations } from '../chat/api-chat';

/**
 * One person on two channels made one contact by an agent. The kept contact takes the merged
 * one's conversations (their messages with them), and its attributes, name, email and phone where
 * it has none. The merged row stays, pointing at the kept one (`merged_into_id`): it is the
 * channel identity (organization, channel, external id), so the person's next message on that
 * channel lands on the kept contact, and each moved conversation remembers which identity its
 * replies go to (`metadata.recipientExternalId`).
 */
type ContactRow = typeof contacts.$inferSelect;

export interface MergeOutcome {
  contact: ContactRow;
  merged: ContactRow;
  movedConversations: number;
}

async function requireContact(services: Pick<Services, 'db'>, organizationId: string, id: string, what: string): Promise<ContactRow> {
  const [row] = await services.db.select().from(contacts).where(inOrg(contacts, organizationId, eq(contacts.id, id))).limit(1);
  if (!row) throw new ApiError('not_found', `${what} not found`);
  if (row.mergedIntoId) throw new ApiError('conflict', `${what} was already merged into another contact`);
  return row;
}

export async function mergeContacts(services: Pick<Services, 'db' | 'kv'>, organizationId: string, keptId: string, mergedId: string): Promise<MergeOutcome> {
  if (keptId === mergedId) {
    throw new ApiError('validation_failed', 'A contact cannot be merged into itself', { details: [{ path: 'contactId', message: 'Choose another contact', code: 'custom' }] });
  }
  const kept = await requireContact(services, organizationId, keptId, 'Contact');
  const merged = await requireContact(services, organizationId, mergedId, 'The contact to merge');
  const outcome = await services.db.transaction(async (tx) => {
    // Both open on the same channel and bot: the merged one's is resolved, so the kept contact
    // still has one open conversation per channel (the unique index new messages rely on).
    await tx
      .update(conversations)
      .set({ status: 'resolved', resolvedAt: new Date() })
      .where(
        and(
          eq(conversations.contactId, merged.id),
          sql`${conversations.status} in ('open', 'pending') and ${conversations.channelId} is not null`,
          sql`exists (select 1 from ${conversations} k where k.contact_id = ${kept.id} and k.channel_id = ${conversations.channelId}
                and k.bot_id = ${conversations.botId} and k.status in ('open', 'pending'))`,
        ),
      );
    const moved = await tx
      .update(conversations)
      .set({
        contactId: kept.id,
        metadata: sql`jsonb_build_object('recipientExternalId', ${merged.externalId}::text) || ${conversations.metadata}`,
        updatedAt: new Date(),
      })
      .where(eq(conversations.contactId, merged.id))
      .returning({ id: conversations.id });
    // Anyone merged into the merged contact earlier now points at the kept one too.
    await tx.update(contacts).set({ mergedIntoId: kept.id }).where(eq(contacts.mergedIntoId, merged.id));
    const [updatedMerged] = await tx.update(contacts).set({ mergedIntoId: kept.id, updatedAt: new Date() }).where(eq(contacts.id, merged.id)).returning();
    const [updatedKept] = await tx
      .update(contacts)
      .set({
        name: kept.name ?? merged.name,
        email: kept.email ?? merged.email,
        phone: kept.phone ?? merged.phone,
        attributes: { ...merged.attributes, ...kept.attributes },
        lastSeenAt: sql`greatest(${contacts.lastSeenAt}, (select m.last_seen_at from ${contacts} m where m.id = ${merged.id}))`,
        updatedAt: new Date(),
      })
      .where(eq(contacts.id, kept.id))
      .returning();
    return { contact: updatedKept, merged: updatedMerged, movedConversations: moved.length };
  });
  // The merged identity's conversations now belong to the kept contact: its API user is looked up again.
  await forgetApiConversations(services, organizationId);
  return outcome;
}

/** Contacts an agent may pick to merge: by name, email, phone or platform id; merged ones are not offered. */
export async function searchContacts(services: Pick<Services, 'db'>, organizationId: string, query: { q?: string; excludeId?: string; limit?: number }) {
  const pattern = query.q ? `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
  return services.db
    .select({
      id: contacts.id,
      channel: contacts.channel,
      externalId: contacts.externalId,
      name: contacts.name,
      email: contacts.email,
      phone: contacts.phone,
      attributes: contacts.attributes,
      // Qualified by hand: drizzle renders ${contacts.id} in a select as a bare "id", which inside
      // the subquery would mean the conversation's own id (and count nothing).
      conversationCount: sql<number>`(select count(*)::int from ${conversations} c where c.contact_id = ${sql.raw('"contacts"."id"')})`,
    })
    .from(contacts)
    .where(
      inOrg(
        contacts,
        organizationId,
        and(
          isNull(contacts.mergedIntoId),
          query.excludeId ? ne(contacts.id, query.excludeId) : undefined,
          pattern ? or(ilike(contacts.name, pattern), ilike(contacts.email, pattern), ilike(contacts.phone, pattern), ilike(contacts.externalId, pattern)) : undefined,
        ),
      ),
    )
    .orderBy(desc(contacts.lastSeenAt))
    .limit(query.limit ?? 20);
}
