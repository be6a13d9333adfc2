/** Messages between the main thread (database-thread.ts) and the database worker (database-worker.ts). */
export type DatabaseRequest =
  | { id: number; op: 'open'; dataDir: string | null; migrationsFolder: string; templatePath?: string; preparedStatements: boolean }
  | { id: number; op: 'query'; sql: string; params?: unknown[]; rowMode?: 'array' | 'object'; textOids?: number[] }
  | { id: number; op: 'exec'; sql: string; rowMode?: 'array' | 'object'; textOids?: number[] }
  | { id: number; op: 'dump'; compression: 'none' | 'gzip' | 'auto' }
  | { id: number; op: 'close' };

export type DatabaseReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: CrossingError };

/** An error as it crosses: its name, message and every plain field (a Postgres error's code, detail, constraint…). */
export type CrossingError = { name: string; message: string } & Record<string, string | number | boolean>;

/**
 * Fields that stay behind: the statement's parameter values (they would reach logs, see
 * lib/log.ts) and PGlite's query options (functions, which cannot cross anyway).
 */
const STAYS = new Set(['params', 'queryOptions', 'stack']);

export function crossingError(error: unknown): CrossingError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const crossing: CrossingError = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (STAYS.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') crossing[key] = value;
  }
  return crossing;
}

/** The error again, on the receiving thread: an Error with the same name, message and fields. */
export function revivedError(crossing: CrossingError): Error {
  const { name, message, ...fields } = crossing;
  const error = Object.assign(new Error(message), fields);
  error.name = name;
  return error;
}
