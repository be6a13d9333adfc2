/**
 * `npm run bench:widget`: builds the embeddable widget and prints the raw, gzip and brotli sizes
 * of dist/web/widget.js, the one file every customer site loads. Fails above 12 KB gzipped
 * (the budget in issue 4; widget/size.test.ts checks the same budget in `npm test`).
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildWidget, WIDGET_GZIP_BUDGET_BYTES as LIMIT_GZIP_BYTES, WIDGET_OUTFILE } from '../widget/build';

await buildWidget();
const file = readFileSync(WIDGET_OUTFILE);
const gzip = gzipSync(file, { level: 9 }).length;
const brotli = brotliCompressSync(file, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB (${n} B)`;
console.log(`dist/web/widget.js`);
console.log(`  raw     ${kb(file.length)}`);
console.log(`  gzip    ${kb(gzip)}   limit ${kb(LIMIT_GZIP_BYTES)}`);
console.log(`  brotli  ${kb(brotli)}`);
if (gzip > LIMIT_GZIP_BYTES) {
  console.error(`FAIL: widget.js is ${kb(gzip - LIMIT_GZIP_BYTES)} over the gzip budget`);
  process.exitCode = 1;
}
