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

export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>) {
  const template = dictionaries[locale][key] ?? en[key] ?? key;
  return vars ? template.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : template;
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
