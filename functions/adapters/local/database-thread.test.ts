import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation, rowsOf } from '../../lib/sql';
import { DATABASE_TEMPLATE_ENV, openLocalDatabase, type LocalDatabase } from './database';
import { openDatabaseThread, type ThreadClient } from './database-thread';
import { findMigrationsFolder } from './pglite-open';

/**
 * The local database on its worker thread (the product's path: a data directory always runs
 * there). In-memory here, from the test template, as a data directory costs seconds to create.
 */
describe('the local database on a worker thread', () => {
  let local: LocalDatabase;
  let client: ThreadClient;
  beforeAll(async () => {
    local = await openLocalDatabase(null, { thread: 'worker' });
    client = local.pglite as ThreadClient;
    await client.exec(`CREATE TABLE thread_test (id int PRIMARY KEY, email text CONSTRAINT thread_test_email UNIQUE, at timestamptz DEFAULT now())`);
  });
  afterAll(() => local?.close());

  it('runs the migrations there and answers through drizzle', async () => {
    const [row] = await rowsOf<{ n: number }>(local.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    expect(row.n).toBeGreaterThan(0);
  });

  it('keeps the main thread turning while a statement runs', async () => {
    let turns = 0;
    let running = true;
    const turn = () => {
      if (!running) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    // Tens of milliseconds of SQL: on the caller's thread, not one turn would pass meanwhile.
    const statement = client.query('SELECT count(*) FROM generate_series(1, 300000)');
    const turnsWhenStarted = turns;
    await statement;
    running = false;
    expect(turns).toBeGreaterThan(turnsWhenStarted);
  });

  it('runs data statements there as named prepared statements, as on the caller\'s thread', async () => {
    const text = 'SELECT count(*)::int AS n FROM thread_test WHERE id > $1';
    await client.query(text, [0]);
    await client.query(text, [0]);
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [text]);
    expect(rows[0].n).toBe(1);
  });

  it('brings Postgres errors across with their fields, and without their parameters', async () => {
    await client.query('INSERT INTO thread_test (id, email) VALUES ($1, $2)', [1, 'a@example.test']);
    const error = await client.query('INSERT INTO thread_test (id, email) VALUES ($1, $2)', [2, 'a@example.test']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'thread_test_email', table: 'thread_test', severity: 'ERROR' });
    expect((error as { detail: string }).detail).toContain('already exists');
    expect(error).not.toHaveProperty('params');
    // Through drizzle too: the app's unique-violation handling sees it.
    const wrapped = await local.db.execute(sql`INSERT INTO thread_test (id, email) VALUES (3, 'a@example.test')`).catch((e: unknown) => e);
    expect(isUniqueViolation(wrapped)).toBe(true);
  });

  it('applies the caller\'s parsers on the caller\'s thread, in either row mode', async () => {
    const parsers = { 23: (value: string) => `int ${value}`, 1184: (value: string) => value };
    const objects = await client.query<{ n: string; at: string }>(`SELECT 7::int4 AS n, '2026-01-02 03:04:05+00'::timestamptz AS at, NULL::int4 AS missing`, [], { parsers });
    expect(objects.rows).toEqual([{ n: 'int 7', at: '2026-01-02 03:04:05+00', missing: null }]);
    const arrays = await client.query(`SELECT 8::int4, 'x'::text`, [], { rowMode: 'array', parsers });
    expect(arrays.rows).toEqual([['int 8', 'x']]);
    // Without parsers, PGlite's own (a Date, a number) arrive as values.
    const plain = await client.query<{ n: number; at: Date }>(`SELECT 9::int4 AS n, '2026-01-02 03:04:05+00'::timestamptz AS at`);
    expect(plain.rows[0].n).toBe(9);
    expect(plain.rows[0].at).toBeInstanceOf(Date);
  });

  it('refuses query options that cannot cross threads instead of ignoring them', async () => {
    await expect(client.query('SELECT 1', [], { serializers: { 25: (value: unknown) => String(value) } })).rejects.toThrow(/serializers/);
  });

  it('commits a transaction, rolls back one that throws, and nests savepoints through drizzle', async () => {
    await local.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO thread_test (id) VALUES (10)`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`INSERT INTO thread_test (id) VALUES (11)`);
          throw new Error('inner fails');
        })
        .catch(() => {});
    });
    await expect(
      local.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO thread_test (id) VALUES (12)`);
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    await client.transaction(async (tx) => {
      await tx.query('INSERT INTO thread_test (id) VALUES (13)');
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query('SELECT 1')).rejects.toThrow(/closed/);
    });
    const { rows } = await client.query<{ id: number }>('SELECT id FROM thread_test WHERE id >= 10 ORDER BY id');
    expect(rows).toEqual([{ id: 10 }]);
  });

  it('dumps its data directory across', async () => {
    const dump = await client.dumpDataDir('none');
    expect(dump.size).toBeGreaterThan(1_000_000);
  });
});

describe('a database worker that dies', () => {
  it('fails the statements in flight and every later one, and the gate reads down', async () => {
    const local = await openLocalDatabase(null, { thread: 'worker' });
    const client = local.pglite as ThreadClient;
    const inFlight = client.query('SELECT count(*) FROM generate_series(1, 3000000)');
    await client.worker.terminate();
    await expect(inFlight).rejects.toThrow(/database worker stopped/);
    await expect(local.db.execute(sql`SELECT 1`)).rejects.toThrow();
    expect(local.gate.pulse.read()).toMatchObject({ state: 'down', failure: expect.stringContaining('database worker stopped') });
    // Closing what has died is quiet.
    await local.close();
  });

  it('reports a database that cannot open', async () => {
    const templatePath = process.env[DATABASE_TEMPLATE_ENV];
    await expect(openDatabaseThread(null, { migrationsFolder: join(findMigrationsFolder(), 'missing'), templatePath })).rejects.toThrow();
  });
});
