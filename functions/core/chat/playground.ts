import { eq, sql } from 'drizzle-orm';
import { contacts, conversations } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';

/**
 * The playground conversation a dashboard user talks to the bot in: the one they continue, or a
 * new one whose contact is the user (playground conversations stay out of the inbox and analytics).
 */
export async function playgroundConversation(db: Database, organizationId: string, botId: string, userId: string, conversationId?: string): Promise<string> {
  if (conversationId) {
    const [existing] = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(inOrg(conversations, organizationId, eq(conversations.id, conversationId), eq(conversations.botId, botId), eq(conversations.channel, 'playground')));
    if (!existing) throw new ApiError('not_found', 'Playground conversation not found');
    return existing.id;
  }
  const [contact] = await db
    .insert(contacts)
    .values({ organizationId, channel: 'playground', externalId: `user:${userId}` })
    .onConflictDoUpdate({ target: [contacts.organizationId, contacts.channel, contacts.externalId], set: { lastSeenAt: sql`now()` } })
    .returning({ id: contacts.id });
  const [created] = await db
    .insert(conversations)
    .values({ organizationId, botId, contactId: contact.id, channel: 'playground' })
    .returning({ id: conversations.id });
  return created.id;
}
