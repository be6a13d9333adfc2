// Bundles the Node entry into dist/server/server.js for `npm start`; npm packages stay external.
import { build } from 'esbuild';

await build({
  // The ingestion worker is a second entry: worker-pool.ts loads it from beside server.js.
  entryPoints: { server: 'functions/server.ts', 'ingest-worker': 'functions/adapters/local/ingest-worker.ts' },
  outdir: 'dist/server',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
  logLevel: 'info',
});
