/**
 * Statements built once (`compiledRows`): the text is compiled on the first call of a key and
 * every call fills in its own values, mapped like drizzle maps them (jsonb, timestamps, null).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowNodeCounts, organizations } from '../../db/schema';
import { openLocalDatabase, type LocalDatabase } from '../adapters/local/database';
import { compiledRows, rowsOf } from './sql';

let local: LocalDatabase;
beforeAll(async () => {
  local = await openLocalDatabase(null);
});
afterAll(() => local?.close());

describe('compiledRows', () => {
  it('fills each call’s own values into the text built once, mapped by the columns like drizzle', async () => {
    const { db } = local;
    let builds = 0;
    const insert = (values: Record<string, unknown>) =>
      compiledRows<{ name: string; settings: unknown; created_at: string; description: string | null }>(
        db,
        'test:organization',
        () => {
          builds++;
          const p = (name: string) => sql.placeholder(name) as never;
          return db.insert(organizations).values({ name: p('name'), slug: p('slug'), settings: p('settings'), createdAt: p('createdAt'), description: p('description') }).returning().getSQL();
        },
        values,
      );
    const first = await insert({ name: 'Uno', slug: 'compiled-uno', settings: { plan: ['a'] }, createdAt: new Date('2026-01-02T03:04:05Z'), description: null });
    const second = await insert({ name: 'Dos', slug: 'compiled-dos', settings: {}, createdAt: new Date('2026-02-03T04:05:06Z'), description: 'd' });
    expect(builds).toBe(1);
    expect(first[0]).toMatchObject({ name: 'Uno', settings: { plan: ['a'] }, description: null });
    expect(new Date(first[0].created_at).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(second[0]).toMatchObject({ name: 'Dos', settings: {}, description: 'd' });
    // The same rows drizzle's own select reads back.
    const stored = await rowsOf<{ slug: string; settings: unknown }>(db, sql`select slug, settings from organizations where slug like 'compiled-%' order by slug`);
    expect(stored).toEqual([{ slug: 'compiled-dos', settings: {} }, { slug: 'compiled-uno', settings: { plan: ['a'] } }]);
  });

  it('refuses a statement with a value that is not a placeholder, and a call missing one', async () => {
    const { db } = local;
    // A value frozen into the text would be every later call's value.
    await expect(compiledRows(db, 'test:frozen', () => sql`select ${'frozen'} as v`, {})).rejects.toThrow(/not a placeholder/);
    const build = () => db.insert(flowNodeCounts).values({ organizationId: sql.placeholder('org') as never, flowId: sql.placeholder('flow') as never, nodeId: 'n', day: '2026-01-01' }).getSQL();
    await expect(compiledRows(db, 'test:constant', build, { org: null, flow: null })).rejects.toThrow(/not a placeholder/);
    await expect(compiledRows(db, 'test:missing', () => sql`select ${sql.placeholder('v')}::int as v`, {})).rejects.toThrow(/no value for placeholder "v"/);
    expect(await compiledRows(db, 'test:missing', () => sql`select ${sql.placeholder('v')}::int as v`, { v: 7 })).toEqual([{ v: 7 }]);
  });
});
