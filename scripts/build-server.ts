// Bundles the Node entry into dist/server/server.js for `npm start`; npm packages stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['functions/server.ts'],
  outfile: 'dist/server/server.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
  logLevel: 'info',
});
