/**
 * What an error may say in a log line. Database errors carry the statement's parameters (drizzle's
 * `DrizzleQueryError` message, PGlite's and Neon's `params`) and Postgres puts values in its own
 * messages (`invalid input syntax for type uuid: "<value>"`), so for those only the SQLSTATE and
 * the schema names are kept: a password hash or a message text never reaches the logs.
 */
export interface ErrorSummary {
  name: string;
  /** Non-database errors only. */
  message?: string;
  /** Postgres SQLSTATE (e.g. 23505 unique violation). */
  sqlstate?: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  cause?: ErrorSummary;
  /** Stack frames without the message line (which repeats the message). */
  stack?: string[];
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const MAX_MESSAGE = 300;
const MAX_FRAMES = 12;
const MAX_CAUSES = 4;

type Fields = Record<string, unknown>;

function isDatabaseError(error: Fields): boolean {
  return (
    error.name === 'DrizzleQueryError' ||
    'params' in error ||
    'query' in error ||
    (typeof error.code === 'string' && SQLSTATE.test(error.code) && ('severity' in error || 'routine' in error))
  );
}

function stackFrames(stack: unknown): string[] | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
  return frames.length ? frames : undefined;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value.slice(0, 120) : undefined);

function summarize(error: unknown, depth: number, withStack: boolean): ErrorSummary {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) {
    return { name: typeof error, message: String(error).slice(0, MAX_MESSAGE) };
  }
  const fields = error as unknown as Fields;
  const name = typeof fields.name === 'string' ? fields.name : 'Error';
  const summary: ErrorSummary = { name };
  if (isDatabaseError(fields)) {
    if (typeof fields.code === 'string' && SQLSTATE.test(fields.code)) summary.sqlstate = fields.code;
    for (const key of ['constraint', 'table', 'column', 'routine'] as const) {
      const value = text(fields[key]);
      if (value) summary[key] = value;
    }
  } else if (typeof fields.message === 'string') {
    summary.message = fields.message.slice(0, MAX_MESSAGE);
  }
  if (fields.cause !== undefined && depth < MAX_CAUSES) summary.cause = summarize(fields.cause, depth + 1, false);
  // A wrapper's SQLSTATE is its cause's: surface it at the top, where log queries look.
  summary.sqlstate ??= summary.cause?.sqlstate;
  if (withStack) {
    const frames = stackFrames(fields.stack);
    if (frames) summary.stack = frames;
  }
  return summary;
}

export function describeError(error: unknown): ErrorSummary {
  return summarize(error, 0, true);
}

/** One JSON log line for a failure; `context` holds ids and route patterns, never request values. */
export function logError(message: string, error: unknown, context: Record<string, unknown> = {}): void {
  console.error(JSON.stringify({ level: 'error', message, ...context, error: describeError(error) }));
}
