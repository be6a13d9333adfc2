import { asc, eq, ilike, or } from 'drizzle-orm';
import { cannedResponses } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { isUniqueViolation, likePattern } from '../../lib/sql';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';

/** Saved replies, per organization; a shortcut is unique within the organization. */
type Row = typeof cannedResponses.$inferSelect;
export interface CannedResponseInput {
  shortcut: string;
  content: string;
}

const toPublic = (r: Row) => ({ id: r.id, shortcut: r.shortcut, content: r.content, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });

/** By shortcut; `q` matches the shortcut or the text. */
export async function listCannedResponses(db: Database, organizationId: string, q?: string) {
  const rows = await db
    .select()
    .from(cannedResponses)
    .where(inOrg(cannedResponses, organizationId, q ? or(ilike(cannedResponses.shortcut, likePattern(q)), ilike(cannedResponses.content, likePattern(q))) : undefined))
    .orderBy(asc(cannedResponses.shortcut))
    .limit(500);
  return rows.map(toPublic);
}

async function unlessShortcutTaken<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError('conflict', 'A canned response with that shortcut already exists');
    throw error;
  }
}

export async function createCannedResponse(db: Database, organizationId: string, input: CannedResponseInput) {
  const [row] = await unlessShortcutTaken(() => db.insert(cannedResponses).values({ ...input, organizationId }).returning());
  return toPublic(row);
}

export async function updateCannedResponse(db: Database, organizationId: string, id: string, input: CannedResponseInput) {
  const [row] = await unlessShortcutTaken(() =>
    db.update(cannedResponses).set(input).where(inOrg(cannedResponses, organizationId, eq(cannedResponses.id, id))).returning(),
  );
  if (!row) throw new ApiError('not_found', 'Canned response not found');
  return toPublic(row);
}

export async function deleteCannedResponse(db: Database, organizationId: string, id: string) {
  const [row] = await db.delete(cannedResponses).where(inOrg(cannedResponses, organizationId, eq(cannedResponses.id, id))).returning({ id: cannedResponses.id });
  if (!row) throw new ApiError('not_found', 'Canned response not found');
}
