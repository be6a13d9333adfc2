import type { ReactNode } from 'react';
import { Link } from '@tanstack/react-router';
import { LOCALES, setLocale, useLocale, useT, type Locale } from '../lib/i18n';
import { useTheme } from '../lib/theme';
import { cx } from './ui';

export const LOCALE_NAMES: Record<Locale, string> = { es: 'Español', en: 'English' };

export function Logo({ className }: { className?: string }) {
  return (
    <span className={cx('inline-flex items-center gap-2 font-semibold tracking-tight', className)}>
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-indigo-600" />
        <path d="M9 10l7 13 7-13" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      VersaAI
    </span>
  );
}

export function LanguageSelect({ onChange }: { onChange?: (l: Locale) => void }) {
  const t = useT();
  const locale = useLocale();
  return (
    <label className="inline-flex items-center gap-2 text-sm">
      <span className="sr-only">{t('common.language')}</span>
      <select
        value={locale}
        onChange={(e) => {
          const l = e.target.value as Locale;
          setLocale(l);
          onChange?.(l);
        }}
        className="rounded-md border-0 bg-transparent py-1 pl-2 pr-7 text-sm text-zinc-700 ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-600 dark:text-zinc-300 dark:ring-zinc-700"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ThemeToggle({ className }: { className?: string }) {
  const t = useT();
  const [theme, setTheme] = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      onClick={() => setTheme(next)}
      aria-label={next === 'dark' ? t('theme.toDark') : t('theme.toLight')}
      title={next === 'dark' ? t('theme.toDark') : t('theme.toLight')}
      className={cx(
        'inline-flex size-8 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
        className,
      )}
    >
      {theme === 'dark' ? (
        <svg viewBox="0 0 20 20" className="size-5" fill="currentColor" aria-hidden="true">
          <path d="M10 2a1 1 0 011 1v1a1 1 0 11-2 0V3a1 1 0 011-1zm4 8a4 4 0 11-8 0 4 4 0 018 0zm-.46 4.95l.7.7a1 1 0 001.42-1.41l-.7-.71a1 1 0 00-1.42 1.42zm2.12-10.6a1 1 0 010 1.41l-.7.71a1 1 0 11-1.42-1.41l.71-.71a1 1 0 011.41 0zM17 11a1 1 0 100-2h-1a1 1 0 100 2h1zm-7 4a1 1 0 011 1v1a1 1 0 11-2 0v-1a1 1 0 011-1zM5.05 6.46a1 1 0 001.41-1.41l-.7-.71a1 1 0 00-1.42 1.41l.71.71zm1.41 8.49l-.7.7a1 1 0 01-1.42-1.41l.71-.71a1 1 0 011.41 1.42zM4 11a1 1 0 100-2H3a1 1 0 000 2h1z" />
        </svg>
      ) : (
        <svg viewBox="0 0 20 20" className="size-5" fill="currentColor" aria-hidden="true">
          <path d="M17.29 13.29A8 8 0 016.71 2.71a8 8 0 1010.58 10.58z" />
        </svg>
      )}
    </button>
  );
}

/** Frame for the public pages: brand, language and theme, one centred card. */
export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col bg-gradient-to-b from-indigo-50/60 to-zinc-50 dark:from-zinc-900 dark:to-zinc-950">
      <header className="flex items-center justify-between px-4 py-4 sm:px-8">
        <Link to="/" aria-label="VersaAI">
          <Logo />
        </Link>
        <div className="flex items-center gap-2">
          <LanguageSelect />
          <ThemeToggle />
        </div>
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-6 pb-16 sm:pt-14">
        <div className="w-full max-w-md">
          <div className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 sm:p-8 dark:bg-zinc-900 dark:ring-zinc-800">
            <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
            {subtitle && <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{subtitle}</p>}
            <div className="mt-6">{children}</div>
          </div>
          {footer && <div className="mt-6 text-center text-sm text-zinc-600 dark:text-zinc-400">{footer}</div>}
        </div>
      </main>
    </div>
  );
}

export const linkClass = 'font-medium text-indigo-600 hover:text-indigo-500 hover:underline dark:text-indigo-400';
