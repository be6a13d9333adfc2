import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleWidget, WIDGET_GZIP_BUDGET_BYTES } from './build';

// A size, not a speed: the same build on any machine gives the same bytes.
describe('widget.js size budget', () => {
  it('stays within 12 KB gzipped, the one file every customer site loads', async () => {
    const bundle = await bundleWidget();
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    expect(bundle.length, 'the bundle is empty: the build produced nothing').toBeGreaterThan(1000);
    expect(gzipped, `widget.js is ${gzipped} B gzipped; the budget is ${WIDGET_GZIP_BUDGET_BYTES} B`).toBeLessThanOrEqual(WIDGET_GZIP_BUDGET_BYTES);
  });
});
