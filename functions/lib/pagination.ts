import { ApiError } from './errors';
import { fromBase64Url, toBase64Url } from './crypto';

/** Keyset cursor over (created_at, id), opaque to clients. */
export interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify({ createdAt: row.createdAt.toISOString(), id: row.id })));
}

export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(fromBase64Url(cursor)));
    if (typeof parsed.createdAt !== 'string' || typeof parsed.id !== 'string') throw new Error('shape');
    return parsed;
  } catch {
    throw new ApiError('bad_request', 'The cursor is not valid; start again without it');
  }
}

/** Takes `limit + 1` rows and splits them into a page and the next cursor. */
export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
