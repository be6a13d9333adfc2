/**
 * `npm run build:widget`: bundles widget/src into dist/web/widget.js, one minified IIFE that any
 * site can load with a script tag. Runs after the Vite build, which empties dist/web.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
export const WIDGET_OUTFILE = resolve(root, 'dist/web/widget.js');

export async function buildWidget() {
  await build({
    entryPoints: [resolve(root, 'widget/src/index.ts')],
    outfile: WIDGET_OUTFILE,
    bundle: true,
    format: 'iife',
    minify: true,
    // ES2019: every browser still in use (Safari 12.1+, Chrome 73+, Firefox 67+) runs it unchanged.
    target: 'es2019',
    legalComments: 'none',
    // Plain assignments instead of defineProperty helpers for class fields: smaller output.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    logLevel: 'warning',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWidget();
  console.log(`built ${WIDGET_OUTFILE}`);
}
