import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, generateApiTypes } from '../../../scripts/gen-api-types';

describe('api-types.gen.ts', () => {
  it('matches what the API document generates now', async () => {
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    const current = await generateApiTypes();
    // A plain boolean with a message: a 15k-line diff in the failure would hide the instruction.
    expect(committed === current, 'web/src/lib/api-types.gen.ts is stale: run npm run gen:api').toBe(true);
  });
});
