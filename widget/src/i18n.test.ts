import { describe, expect, it } from 'vitest';
import { pickLocale, texts } from './i18n';

describe('pickLocale', () => {
  it('uses the bot language', () => {
    expect(pickLocale(undefined, 'es', ['en-US'])).toBe('es');
    expect(pickLocale(undefined, 'en', ['es-ES'])).toBe('en');
  });
  it('lets the embedder override it', () => {
    expect(pickLocale('en', 'es', ['es-ES'])).toBe('en');
    expect(pickLocale('es-MX', 'en', [])).toBe('es');
  });
  it("follows the browser for 'auto' or unknown languages, English by default", () => {
    expect(pickLocale(undefined, 'auto', ['es-AR', 'en'])).toBe('es');
    expect(pickLocale(undefined, 'auto', ['fr-FR', 'es'])).toBe('en');
    expect(pickLocale('fr', 'auto', ['ES'])).toBe('es');
    expect(pickLocale(undefined, undefined, [])).toBe('en');
  });
  it('has the same keys in both languages', () => {
    expect(Object.keys(texts('es')).sort()).toEqual(Object.keys(texts('en')).sort());
    expect(texts('es').send).toBe('Enviar');
  });
});
