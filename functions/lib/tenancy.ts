import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * Every query on org-owned rows goes through this, so a missing tenant filter stands out in
 * review: `where(inOrg(apiKeys, orgId, eq(apiKeys.id, id)))`.
 */
export function inOrg(table: { organizationId: PgColumn }, organizationId: string, ...conditions: Array<SQL | undefined>): SQL {
  return and(eq(table.organizationId, organizationId), ...conditions) as SQL;
}
