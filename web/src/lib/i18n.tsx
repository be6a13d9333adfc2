/**
 * A deliberately tiny i18n: two locales, one typed dictionary (a missing Spanish key is a type
 * error), `{name}` interpolation. Default from the browser; the user's choice is persisted.
 */
import { useCallback, useSyncExternalStore } from 'react';
import { ApiError } from './api';
import { en, es, type MessageKey } from './messages';

export type Locale = 'es' | 'en';
export const LOCALES: Locale[] = ['es', 'en'];
const KEY = 'versaai.locale';
const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, es };
const listeners = new Set<() => void>();

function initial(): Locale {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'es' || saved === 'en') return saved;
  } catch {
    // Fall through to the browser language.
  }
  const langs = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
  for (const l of langs) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'es' || base === 'en') return base;
  }
  return 'es';
}

let current: Locale = initial();
if (typeof document !== 'undefined') document.documentElement.lang = current;

export const getLocale = () => current;

export function setLocale(locale: Locale) {
  if (locale === current) return;
  current = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(KEY, locale);
  } catch {
    // Choice lasts for this page only.
  }
  listeners.forEach((l) => l());
}

export function useLocale(): Locale {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, getLocale);
}

export type TFunction = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The numeric value of a count that may arrive already formatted ("1.234", "1,234"). */
function countOf(value: string | number): number {
  return typeof value === 'number' ? value : Number(String(value).replace(/[^\d-]/g, '') || NaN);
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** The CLDR plural category of `count` in `locale` ("one", "other", and "many" for a million in Spanish). */
export function pluralCategory(locale: Locale, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(count);
}

/**
 * ICU-style plurals inside a message: `{count, plural, one {# time} other {# times}}`. `=0`, `=1`
 * pick exact values; `#` is the count as passed (numbers formatted for the locale); a missing
 * category falls back to `other`.
 */
function applyPlurals(locale: Locale, template: string, vars: Record<string, string | number>): string {
  let out = '';
  let i = 0;
  const head = /\{(\w+), plural,/g;
  for (let match = head.exec(template); match; match = head.exec(template)) {
    const options = new Map<string, string>();
    let at = match.index + match[0].length;
    // Options are `selector {text}` pairs up to the block's closing brace; texts may nest braces.
    for (;;) {
      while (template[at] === ' ') at++;
      if (template[at] === '}' || at >= template.length) break;
      const open = template.indexOf('{', at);
      const selector = template.slice(at, open).trim();
      let depth = 1;
      let end = open + 1;
      for (; end < template.length && depth > 0; end++) depth += template[end] === '{' ? 1 : template[end] === '}' ? -1 : 0;
      options.set(selector, template.slice(open + 1, end - 1));
      at = end;
    }
    const raw = vars[match[1]] ?? '';
    const count = countOf(raw);
    const chosen = options.get(`=${count}`) ?? options.get(pluralCategory(locale, count)) ?? options.get('other') ?? '';
    const shown = typeof raw === 'number' ? new Intl.NumberFormat(locale).format(raw) : String(raw);
    out += template.slice(i, match.index) + chosen.replace(/#/g, shown);
    i = at + 1;
    head.lastIndex = i;
  }
  return out + template.slice(i);
}

export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>) {
  const template = dictionaries[locale][key] ?? en[key] ?? key;
  if (!vars) return template;
  const counted = template.includes(', plural,') ? applyPlurals(locale, template, vars) : template;
  return counted.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

export function useT(): TFunction {
  const locale = useLocale();
  return useCallback((key, vars) => translate(locale, key, vars), [locale]);
}

/** A human message for any thrown value, translated by error code when we know it. */
export function useErrorMessage() {
  const t = useT();
  return useCallback(
    (error: unknown): string => {
      if (error instanceof ApiError) {
        if (error.code === 'rate_limited') {
          return error.retryAfter ? t('errors.rateLimitedIn', { seconds: error.retryAfter }) : t('errors.rate_limited');
        }
        const key = `errors.${error.code}` as MessageKey;
        if (key in en) return t(key);
        return error.message || t('errors.unknown');
      }
      if (error instanceof TypeError) return t('errors.network');
      return t('errors.unknown');
    },
    [t],
  );
}
