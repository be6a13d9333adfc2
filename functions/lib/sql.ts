import { is, Param, Placeholder, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
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

/**
 * Statements whose text is built once. Drizzle builds a statement's text anew on every call,
 * visiting every chunk with class checks on each: ~0.3 ms of CPU for each of the chat turn's
 * large CTEs, on every message. A statement written with placeholders (`sql.placeholder(name)`,
 * as values, in `set`, in templates) is compiled once per `key` (its shape: whatever changes
 * the text, such as which columns an insert names) and each call only fills in its values.
 * Every parameter must be a placeholder: a value drizzle computes while building (a `$defaultFn`
 * or `$onUpdate` column left out) would otherwise be frozen into every later call, so compiling
 * refuses it.
 */
type Compiled = { text: string; params: Array<(values: Record<string, unknown>) => unknown> };
const compiledStatements = new Map<string, Compiled>();
const COMPILED_MAX = 256;
const dialect = new PgDialect();

export async function compiledRows<T = Record<string, unknown>>(db: Database, key: string, build: () => SQL, values: Record<string, unknown>): Promise<T[]> {
  let compiled = compiledStatements.get(key);
  if (!compiled) {
    compiled = compile(key, build());
    if (compiledStatements.size >= COMPILED_MAX) compiledStatements.delete(compiledStatements.keys().next().value!);
    compiledStatements.set(key, compiled);
  }
  const params = compiled.params.map((param) => param(values));
  // What `db.execute` does once the text is built (any driver: PGlite, node-postgres, Neon).
  const result = await db._.session.prepareQuery({ sql: compiled.text, params }, undefined, undefined, false).execute();
  return (result as { rows: T[] }).rows;
}

function compile(key: string, statement: SQL): Compiled {
  const query = dialect.sqlToQuery(statement);
  const params = query.params.map((param) => {
    const placeholder = is(param, Placeholder) ? param : is(param, Param) && is(param.value, Placeholder) ? (param.value as Placeholder) : null;
    if (!placeholder) throw new Error(`compiled statement ${key}: a parameter is not a placeholder (${String(param)})`);
    const encoder = is(param, Param) ? param.encoder : undefined;
    return (values: Record<string, unknown>) => {
      if (!(placeholder.name in values)) throw new Error(`compiled statement ${key}: no value for placeholder "${placeholder.name}"`);
      const value = values[placeholder.name];
      // As drizzle does for plain values: null stays null, anything else through the column's mapping.
      return value === null || value === undefined ? null : encoder ? encoder.mapToDriverValue(value) : value;
    };
  });
  return { text: query.sql, params };
}
