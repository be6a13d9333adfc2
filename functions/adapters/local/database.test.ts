import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMigrationsFolder, openLocalDatabase, queryRows, schemaFingerprint, type LocalDatabase } from './database';

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
      expect(buffers.rows[0].shared_buffers).toBe('16MB');
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
