import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMigrationsFolder, openLocalDatabase, queryRows, type LocalDatabase } from './database';

describe('openLocalDatabase', () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await openLocalDatabase(null);
  });
  afterAll(() => local?.close());

  it('applies the committed migrations', async () => {
    const tables = await queryRows<{ table_name: string }>(
      local.db,
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const names = tables.map((t) => t.table_name);
    expect(names).toEqual(expect.arrayContaining(['organizations', 'users', 'bots', 'chunks', 'messages']));
  });

  it('creates the local-only tables with pgvector', async () => {
    const { rows } = await local.pglite.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'local_%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(['local_jobs', 'local_outbox', 'local_vectors']);
    const ext = await local.pglite.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
    expect(ext.rows).toHaveLength(1);
  });

  it('finds db/migrations from a nested directory such as dist/server', () => {
    const folder = findMigrationsFolder(new URL('../../../dist/server', import.meta.url).pathname);
    expect(folder).toBe(new URL('../../../db/migrations', import.meta.url).pathname);
  });
});
