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

  it('words counts of documents, conversations and days in both languages', () => {
    expect(translate('en', 'settings.kbDeleteBody', { name: 'Docs', count: 1 })).toBe('This permanently deletes Docs and its 1 document.');
    expect(translate('en', 'settings.kbDeleteBody', { name: 'Docs', count: 3 })).toBe('This permanently deletes Docs and its 3 documents.');
    expect(translate('es', 'settings.kbDeleteBody', { name: 'Docs', count: 1 })).toBe('Se eliminará para siempre Docs y su documento.');
    expect(translate('es', 'settings.kbDeleteBody', { name: 'Docs', count: 3 })).toBe('Se eliminará para siempre Docs y sus 3 documentos.');
    expect(translate('en', 'analytics.activitySummary', { conversations: '1', days: 1 })).toBe('1 conversation over 1 day');
    expect(translate('es', 'analytics.activitySummary', { conversations: '1.234', days: 30 })).toBe('1.234 conversaciones en 30 días');
    expect(translate('es', 'docs.progress', { done: 0, total: 1 })).toBe('0 de 1 fragmento');
  });
});
