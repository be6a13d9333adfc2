// Bundles the Node entry into dist/server/server.js for `npm start` (and, with `dev`, the bundle
// `npm run dev` runs). Runs under plain Node (type stripping) as well as tsx: no local imports.
import { rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
export const SERVER_OUTFILE = resolve(root, 'dist/server/server.js');

/**
 * npm packages are bundled too: Node resolves every file of an external package through its
 * package.json, and drizzle-orm's (180 KB of `exports`) is parsed again for each of its hundreds
 * of files, which cost ~2 s and ~150 MB at start. Left outside: PGlite (loads its .wasm and .data
 * next to its module), unpdf (large, loaded only for PDFs), and the dev-only Vite and esbuild.
 */
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite-pgvector', 'unpdf', 'vite', 'esbuild'];

export function serverBundleOptions(outfile: string): BuildOptions {
  return {
    // The worker threads' code are entries of their own, loaded from beside the server
    // (functions/adapters/local/worker-entry.ts): ingestion's, and the database's.
    entryPoints: {
      [basename(outfile, '.js')]: resolve(root, 'functions/server.ts'),
      'ingest-worker': resolve(root, 'functions/adapters/local/ingest-worker.ts'),
      'database-worker': resolve(root, 'functions/adapters/local/database-worker.ts'),
    },
    outdir: dirname(outfile),
    bundle: true,
    // server.ts imports the runtime dynamically: it becomes a chunk of its own, loaded after the
    // port opens (the two entries share their common code through chunks too).
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: EXTERNAL,
    // CommonJS packages inside an ESM bundle still call require() for Node built-ins.
    banner: { js: "import { createRequire as __versaaiCreateRequire } from 'node:module'; const require = __versaaiCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
}

export async function buildServer(outfile = SERVER_OUTFILE) {
  // Chunks have hashed names: those of an older build would stay beside the new ones.
  rmSync(dirname(outfile), { recursive: true, force: true });
  return build(serverBundleOptions(outfile));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer();
  console.log(`built ${SERVER_OUTFILE}`);
}
