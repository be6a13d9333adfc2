import { describe, expect, it } from 'vitest';
import { pluralCategory, translate } from './i18n';

describe('plurals through Intl.PluralRules', () => {
  it('picks the form by the count in each language', () => {
    expect(translate('en', 'analytics.timesAsked', { count: 1 })).toBe('Asked once');
    expect(translate('en', 'analytics.timesAsked', { count: 3 })).toBe('Asked 3 times');
    expect(translate('es', 'analytics.timesAsked', { count: 1 })).toBe('Preguntada 1 vez');
    expect(translate('es', 'analytics.timesAsked', { count: 2 })).toBe('Preguntada 2 veces');
    expect(translate('es', 'analytics.ratingsCount', { count: 1, up: 1, down: 0 })).toBe('1 valoración · 1 útil · 0 no útiles');
  });

  it('formats numeric counts for the locale and reads counts that arrive formatted', () => {
    expect(translate('en', 'kb.documents', { count: 1234 })).toBe('1,234 documents');
    expect(translate('es', 'overview.documents', { count: '1.234' })).toBe('1.234 documentos');
    expect(translate('es', 'overview.documents', { count: '1' })).toBe('1 documento');
  });

  it('falls back to `other` for categories a message does not list (Spanish "many")', () => {
    expect(pluralCategory('es', 1_000_000)).toBe('many');
    expect(translate('es', 'kb.documents', { count: 1_000_000 })).toBe('1.000.000 documentos');
  });
});
