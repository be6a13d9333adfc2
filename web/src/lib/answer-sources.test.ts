import { describe, expect, it } from 'vitest';
import { answerSourcesSummary } from './answer-sources';
import { translate, type Locale } from './i18n';

const summary = (locale: Locale, sources: { cited?: boolean }[]) => answerSourcesSummary(sources, (key, vars) => translate(locale, key, vars));

describe('the inbox line above an answer’s passages', () => {
  it('says how many of the passages read the answer cited, when not all were', () => {
    expect(summary('es', [{ cited: true }, { cited: false }, { cited: false }])).toEqual({ summary: '3 fuentes consultadas · 1 citada', markCited: true });
    expect(summary('en', [{ cited: true }, { cited: true }, { cited: false }])).toEqual({ summary: '3 sources read · 2 cited', markCited: true });
    expect(summary('es', [{ cited: false }, { cited: false }])).toEqual({ summary: '2 fuentes consultadas · 0 citadas', markCited: true });
  });

  it('counts sources plainly when every one was cited or nothing says which were', () => {
    expect(summary('es', [{ cited: true }])).toEqual({ summary: '1 fuente', markCited: false });
    expect(summary('es', [{ cited: true }, { cited: true }])).toEqual({ summary: '2 fuentes', markCited: false });
    expect(summary('en', [{}, {}, {}])).toEqual({ summary: '3 sources', markCited: false });
  });
});
