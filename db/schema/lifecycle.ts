import { index, pgTable, uuid } from 'drizzle-orm/pg-core';
import { createdAt, ts } from './columns';
import { organizations, users } from './tenancy';

/**
 * An organization an owner asked to delete: it is purged by the nightly job once `purgeAfter`
 * passes, and until then the deletion can be cancelled (deleting the row) and its final export
 * downloaded.
 */
export const organizationDeletions = pgTable(
  'organization_deletions',
  {
    organizationId: uuid('organization_id')
      .primaryKey()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    purgeAfter: ts('purge_after').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('organization_deletions_purge_idx').on(t.purgeAfter)],
);
