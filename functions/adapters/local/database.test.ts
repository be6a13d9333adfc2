import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../../../db/schema';
import { findMigrationsFolder, openLocalDatabase, queryRows, schemaFingerprint, type LocalDatabase } from './database';
import { usePreparedStatements } from './prepared';

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
    expect(rows.map((r) => r.table_name)).toEqual(['local_jobs', 'local_outbox', 'local_schema_state', 'local_vectors']);
    const ext = await local.pglite.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
    expect(ext.rows).toHaveLength(1);
  });

  it('finds db/migrations from a nested directory such as dist/server', () => {
    const folder = findMigrationsFolder(new URL('../../../dist/server', import.meta.url).pathname);
    expect(folder).toBe(new URL('../../../db/migrations', import.meta.url).pathname);
  });
});

describe('openLocalDatabase on a data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'versaai-db-test-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('records the schema fingerprint, and a second start skips the migrations but keeps data and session settings', async () => {
    const first = await openLocalDatabase(dataDir);
    await first.pglite.exec(`INSERT INTO local_outbox ("to", subject, text) VALUES ('a@example.test', 'kept', 'body')`);
    const stored = await first.pglite.query<{ fingerprint: string }>('SELECT fingerprint FROM local_schema_state');
    expect(stored.rows).toEqual([{ fingerprint: schemaFingerprint(findMigrationsFolder()) }]);
    // Forget the last applied migration: a second start that ran the migrator would apply it again.
    const applied = await first.pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    await first.pglite.exec('DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)');
    await first.close();

    const second = await openLocalDatabase(dataDir);
    try {
      const after = await second.pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      expect(after.rows[0].n).toBe(applied.rows[0].n - 1);
      const mail = await second.pglite.query<{ subject: string }>('SELECT subject FROM local_outbox');
      expect(mail.rows).toEqual([{ subject: 'kept' }]);
      await second.pglite.query(`SELECT '[1,2,3]'::vector <=> '[1,2,4]'::vector`);
      const ef = await second.pglite.query<{ hnsw_ef_search: string }>('SHOW hnsw.ef_search');
      expect(Object.values(ef.rows[0])).toEqual(['40']);
      const buffers = await second.pglite.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(buffers.rows[0].shared_buffers).toBe('8MB');
    } finally {
      await second.close();
    }
    // Two starts on disk, the first one with initdb: slow on a busy machine.
  }, 180_000);

  it('changes the fingerprint when any migration changes, so a new migration is applied', () => {
    const folder = mkdtempSync(join(tmpdir(), 'versaai-migrations-'));
    try {
      cpSync(findMigrationsFolder(), folder, { recursive: true });
      const before = schemaFingerprint(folder);
      writeFileSync(join(folder, '9999_extra.sql'), 'SELECT 1;');
      expect(schemaFingerprint(folder)).not.toBe(before);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('prepared statements (prepared.ts)', () => {
  let prepared: LocalDatabase;
  let plain: LocalDatabase;
  beforeAll(async () => {
    [prepared, plain] = await Promise.all([openLocalDatabase(null), openLocalDatabase(null, { preparedStatements: false })]);
  });
  afterAll(() => Promise.all([prepared?.close(), plain?.close()]));

  const runs = () => prepared.prepared!.counts().runs;

  it('answers like PGlite’s own query(): rows, fields and types, raw and through drizzle, every time', async () => {
    const text = `SELECT $1::uuid AS id, $2::timestamptz AS at, $3::jsonb AS doc, $4::text[] AS tags, $5::int8 AS big,
      $6::numeric AS n, $7::bool AS yes, $8::bytea AS bin, '1 day 2 hours'::interval AS span, '2026-01-02'::date AS day,
      NULL::text AS nothing, ARRAY[1, 2]::int[] AS ints`;
    const params = ['7d3f1a52-9a4e-4c1b-8f1e-2b7c1d9e0a11', new Date('2026-03-04T05:06:07.089Z'), { a: [1, 'b'] }, ['x', 'y'], 9007199254740993n, '12.50', true, new Uint8Array([1, 2, 3]), null].slice(0, 8);
    const drizzleParsers = { 1184: (v: string) => v, 1114: (v: string) => v, 1186: (v: string) => v, 1082: (v: string) => v };
    const before = runs();
    for (let i = 0; i < 3; i++) {
      for (const options of [undefined, { rowMode: 'array' as const, parsers: drizzleParsers }]) {
        const [a, b] = await Promise.all([prepared.pglite.query(text, params, options), plain.pglite.query(text, params, options)]);
        expect(a).toEqual(b);
      }
    }
    expect(runs() - before).toBe(6);

    // A drizzle select (rowMode array, timestamps mapped by drizzle) and an insert's RETURNING.
    const org = { id: '0b8e7a52-1111-4c1b-8f1e-2b7c1d9e0a11', name: 'Prepared', slug: 'prepared-org', createdAt: new Date('2026-01-01T00:00:00Z'), updatedAt: new Date('2026-01-02T00:00:00Z') };
    const rows = await Promise.all([prepared, plain].map(async (local) => {
      const inserted = await local.db.insert(organizations).values(org).returning();
      const selected = await local.db.select().from(organizations).where(eq(organizations.id, org.id));
      const none = await local.db.update(organizations).set({ name: 'x' }).where(eq(organizations.id, '00000000-0000-4000-8000-000000000000'));
      return { inserted, selected, affected: (none as unknown as { affectedRows: number }).affectedRows };
    }));
    expect(rows[0]).toEqual(rows[1]);
    expect(rows[0].selected[0].createdAt).toEqual(org.createdAt);
  });

  it('runs prepared inside transactions, which see their own writes and roll back', async () => {
    const before = runs();
    const seen = await prepared.db.transaction(async (tx) => {
      await tx.insert(organizations).values({ name: 'In tx', slug: 'in-tx' });
      return tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.slug, 'in-tx'));
    });
    expect(seen).toEqual([{ name: 'In tx' }]);
    await expect(
      prepared.db.transaction(async (tx) => {
        await tx.insert(organizations).values({ name: 'Rolled back', slug: 'rolled-back' });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await prepared.db.select().from(organizations).where(eq(organizations.slug, 'rolled-back'))).toEqual([]);
    expect(runs() - before).toBeGreaterThanOrEqual(4);
  });

  it('keeps working after errors: at bind, at parse, and in an aborted transaction', async () => {
    const byId = 'SELECT $1::uuid AS id';
    await prepared.pglite.query(byId, ['7d3f1a52-9a4e-4c1b-8f1e-2b7c1d9e0a11']);
    const { prepares } = prepared.prepared!.counts();
    const refused = await prepared.pglite.query(byId, ['not-a-uuid']).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: '22P02', query: byId, params: ['not-a-uuid'] });
    expect((await prepared.pglite.query(byId, ['7d3f1a52-9a4e-4c1b-8f1e-2b7c1d9e0a11'])).rows).toEqual([{ id: '7d3f1a52-9a4e-4c1b-8f1e-2b7c1d9e0a11' }]);
    // The statement stayed prepared through the failed bind.
    expect(prepared.prepared!.counts().prepares).toBe(prepares);

    await expect(prepared.pglite.query('SELECT nope FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    expect((await prepared.pglite.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    await prepared.pglite.transaction(async (tx) => {
      await expect(tx.query(byId, ['still-not-a-uuid'])).rejects.toMatchObject({ code: '22P02' });
      await expect(tx.query('SELECT 1 AS one')).rejects.toMatchObject({ code: '25P02' });
      await tx.rollback();
    });
    expect((await prepared.pglite.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('prepares again after DDL changes what a statement returns, seen or not (a DO block)', async () => {
    await prepared.pglite.exec('CREATE TABLE prepared_ddl (a int); INSERT INTO prepared_ddl VALUES (1), (2);');
    const all = 'SELECT * FROM prepared_ddl ORDER BY a';
    const one = 'SELECT a FROM prepared_ddl WHERE a = $1';
    expect((await prepared.pglite.query(all)).rows).toEqual([{ a: 1 }, { a: 2 }]);
    expect((await prepared.pglite.query(one, [2])).rows).toEqual([{ a: 2 }]);
    await prepared.db.execute(sql.raw(`ALTER TABLE prepared_ddl ADD COLUMN b text DEFAULT 'x'`));
    await prepared.db.execute(sql.raw('CREATE INDEX prepared_ddl_a ON prepared_ddl (a)'));
    expect((await prepared.pglite.query(all)).rows).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'x' }]);
    expect((await prepared.pglite.query(one, [2])).rows).toEqual([{ a: 2 }]);
    // DDL the wrapper cannot see (inside a function): Postgres refuses the cached plan, which is
    // prepared again and the statement run once more.
    await prepared.pglite.query(`DO $$ BEGIN ALTER TABLE prepared_ddl ADD COLUMN c int DEFAULT 3; END $$`);
    expect((await prepared.pglite.query(all)).rows).toEqual([{ a: 1, b: 'x', c: 3 }, { a: 2, b: 'x', c: 3 }]);
    // Inside a transaction the refusal aborts it; the next statement prepares again.
    await prepared.pglite.query(`DO $$ BEGIN ALTER TABLE prepared_ddl DROP COLUMN c; END $$`);
    await expect(prepared.pglite.transaction((tx) => tx.query(all))).rejects.toMatchObject({ code: '0A000' });
    expect((await prepared.pglite.transaction((tx) => tx.query(all))).rows).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'x' }]);
  });

  it('keeps at most `max` statements, closing the least recently run', async () => {
    const local = await openLocalDatabase(null, { preparedStatements: false });
    try {
      // In-memory databases run on this thread: the client is PGlite itself.
      const statements = usePreparedStatements(local.pglite as PGlite, { max: 3 });
      for (let i = 0; i < 5; i++) await local.pglite.query(`SELECT ${i} AS n`);
      expect(statements.size()).toBe(3);
      const kept = await local.pglite.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements ORDER BY statement`);
      expect(kept.rows.map((r) => r.statement)).toEqual(['SELECT 3 AS n', 'SELECT 4 AS n', 'SELECT statement FROM pg_prepared_statements ORDER BY statement']);
      // A run moves a statement to the back: the next one closes `SELECT 4`, not `SELECT 3`.
      await local.pglite.query('SELECT 3 AS n');
      await local.pglite.query('SELECT 5 AS n');
      const after = await local.pglite.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements ORDER BY statement`);
      expect(after.rows.map((r) => r.statement)).toEqual(['SELECT 3 AS n', 'SELECT 5 AS n', 'SELECT statement FROM pg_prepared_statements ORDER BY statement']);
      expect(statements.size()).toBe(3);
      // Retrieval and DDL stay on PGlite's own path.
      await local.pglite.query('SELECT count(*) FROM local_vectors');
      expect(statements.size()).toBe(3);
    } finally {
      await local.close();
    }
  });
});
