import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import * as zodCore from 'zod/v4/core';
import * as zodMini from 'zod/v4/mini';
// @ts-expect-error plain JS modules for the Workers bundler, without type declarations
import * as leanIndex from './zod-lean/index.js';
// @ts-expect-error see above
import * as leanCore from './zod-lean/core.js';
// @ts-expect-error see above
import * as leanMini from './zod-lean/mini-index.js';

const namesOf = (module: object) => Object.keys(module).sort();
const withoutLocales = (names: string[]) => names.filter((name) => name !== 'locales');

// wrangler.toml aliases zod to these entries: a name zod exports that they lack would be undefined
// in the Workers bundle only, so a zod upgrade must fail here first.
describe('the lean zod entries of the Workers bundle', () => {
  it('export everything zod does except the locales', () => {
    expect(namesOf(leanIndex)).toEqual(withoutLocales(namesOf(zod)));
    expect(namesOf(leanIndex.z)).toEqual(withoutLocales(namesOf(zod.z)));
    expect(namesOf(leanCore)).toEqual(withoutLocales(namesOf(zodCore)));
    expect(namesOf(leanMini)).toEqual(withoutLocales(namesOf(zodMini)));
    expect(namesOf(leanMini.z)).toEqual(withoutLocales(namesOf(zodMini.z)));
  });

  it('are the same classes as zod itself, so schemas from either mix', () => {
    expect(leanIndex.z.ZodObject).toBe(zod.z.ZodObject);
    expect(leanCore.$ZodType).toBe(zodCore.$ZodType);
    expect('locales' in leanIndex.z).toBe(false);
  });
});
