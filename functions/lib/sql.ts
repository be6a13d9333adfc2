import type { SQL } from 'drizzle-orm';
import type { Database } from '../ports';

/**
 * Raw-statement helpers. `Database` is typed over every Postgres driver, so `execute` cannot know
 * its row shape; all of ours (PGlite, node-postgres, Neon) answer `{ rows }`.
 */
export async function rowsOf<T = Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** `%text%` for ILIKE, with the pattern's own characters (\ % _) taken literally. */
export function likePattern(text: string) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Postgres refused a row because a unique index already holds its key. */
export function isUniqueViolation(error: unknown) {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
