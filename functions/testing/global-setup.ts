import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { DATABASE_TEMPLATE_ENV, dumpDatabaseTemplate, findMigrationsFolder, openLocalDatabase, schemaFingerprint } from '../adapters/local/database';

/**
 * Vitest global setup: one migrated database, dumped to a file named in the environment the test
 * workers inherit. Each test file still gets databases of its own (copies of the dump), so
 * isolation is unchanged; only initdb and the migrations are no longer repeated per database.
 * The dump is kept under node_modules/.cache, keyed by the schema and the PGlite version, so a
 * run after no migration change starts at once.
 */
const CACHE_DIR = resolve(import.meta.dirname, '../../node_modules/.cache/versaai-test');

function templateKey(): string {
  const pglite = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  return createHash('sha256').update(schemaFingerprint(findMigrationsFolder())).update(pglite).digest('hex').slice(0, 16);
}

async function buildTemplate(file: string) {
  const dir = mkdtempSync(join(CACHE_DIR, 'build-'));
  try {
    // On a data dir, so the template records the schema fingerprint (see migrateIfChanged).
    const database = await openLocalDatabase(dir);
    try {
      writeFileSync(join(dir, 'template.tar'), await dumpDatabaseTemplate(database));
    } finally {
      await database.close();
    }
    // Atomic: two runs at once never read half a file.
    renameSync(join(dir, 'template.tar'), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function setup() {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `database-${templateKey()}.tar`);
  if (!existsSync(file)) {
    await buildTemplate(file);
    // Dumps of older schemas are never read again (about 40 MB each).
    for (const old of readdirSync(CACHE_DIR)) if (old.startsWith('database-') && join(CACHE_DIR, old) !== file) rmSync(join(CACHE_DIR, old), { force: true });
  }
  process.env[DATABASE_TEMPLATE_ENV] = file;
}
