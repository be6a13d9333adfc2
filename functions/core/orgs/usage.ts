import { sql } from 'drizzle-orm';
import type { Database } from '../../ports';
import { rowsOf } from '../../lib/sql';
import { customerConversationSql } from '../conversations/counted';

/**
 * What an organization holds, for the dashboard's overview counters: one statement of indexed
 * counts (every table is filtered by organization_id) rather than a round trip per number.
 */
export interface OrgUsage {
  conversations: number;
  openConversations: number;
  messages: number;
  bots: number;
  activeBots: number;
  members: number;
  knowledgeBases: number;
  documents: number;
  storageBytes: number;
}

export async function orgUsage(db: Database, organizationId: string): Promise<OrgUsage> {
  const customer = customerConversationSql('c');
  const [row = {}] = await rowsOf(
    db,
    sql`
    select
      (select count(*) from conversations c where c.organization_id = ${organizationId} and ${customer}) as conversations,
      (select count(*) from conversations c where c.organization_id = ${organizationId} and ${customer} and c.status in ('open', 'pending')) as open_conversations,
      -- Each conversation keeps its message count, so this stays cheap with millions of messages.
      (select coalesce(sum(c.message_count), 0) from conversations c where c.organization_id = ${organizationId} and ${customer}) as messages,
      (select count(*) from bots where organization_id = ${organizationId} and status <> 'archived') as bots,
      (select count(*) from bots where organization_id = ${organizationId} and status = 'active') as active_bots,
      (select count(*) from memberships where organization_id = ${organizationId}) as members,
      (select count(*) from knowledge_bases where organization_id = ${organizationId}) as knowledge_bases,
      (select count(*) from documents where organization_id = ${organizationId}) as documents,
      (select coalesce(sum(size_bytes), 0) from documents where organization_id = ${organizationId}) as storage_bytes
  `,
  );
  const n = (key: string) => Number(row[key] ?? 0);
  return {
    conversations: n('conversations'),
    openConversations: n('open_conversations'),
    messages: n('messages'),
    bots: n('bots'),
    activeBots: n('active_bots'),
    members: n('members'),
    knowledgeBases: n('knowledge_bases'),
    documents: n('documents'),
    storageBytes: n('storage_bytes'),
  };
}
