import { useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link, Outlet, redirect, useNavigate, useRouter } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { LOCALE_NAMES, LanguageSelect, Logo, ThemeToggle } from '../components/chrome';
import { CreateOrgForm } from '../components/create-org-form';
import { Button, cx, Dialog, PageLoader } from '../components/ui';
import { api } from '../lib/api';
import { LOCALES, setLocale, useLocale, useT, type Locale } from '../lib/i18n';
import { getCurrentOrgId, setCurrentOrgId, useCurrentOrgId } from '../lib/org';
import { devOutboxAvailableQuery, organizationsQuery, profileQuery } from '../lib/queries';
import { endSession, ensureSession } from '../lib/session';
import { useTheme } from '../lib/theme';
import { HandoffBell } from '../components/handoff-bell';
import { useLiveEvents } from '../lib/live-events';
import { inboxCountsQuery } from '../lib/queries-inbox';
import { queryKeys } from '../lib/query-keys';

export const Route = createFileRoute('/_app')({
  beforeLoad: async ({ context: { queryClient }, location }) => {
    if (!(await ensureSession())) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
    const orgs = await queryClient.ensureQueryData(organizationsQuery());
    // The saved organization may be gone (removed from it, deleted): fall back to the first.
    let orgId = getCurrentOrgId();
    if (!orgs.some((o) => o.id === orgId)) {
      orgId = orgs[0]?.id ?? null;
      setCurrentOrgId(orgId);
    }
    return { orgId };
  },
  loader: ({ context: { queryClient } }) => queryClient.ensureQueryData(profileQuery()),
  pendingComponent: () => (
    <div className="flex min-h-dvh items-center justify-center">
      <PageLoader />
    </div>
  ),
  component: AppLayout,
});

function AppLayout() {
  const { data: orgs } = useSuspenseQuery(organizationsQuery());
  if (orgs.length === 0) return <Onboarding />;
  return <Shell />;
}

function Onboarding() {
  const t = useT();
  return (
    <div className="flex min-h-dvh flex-col bg-gradient-to-b from-indigo-50/60 to-zinc-50 dark:from-zinc-900 dark:to-zinc-950">
      <header className="flex items-center justify-between px-4 py-4 sm:px-8">
        <Logo />
        <div className="flex items-center gap-2">
          <LanguageSelect />
          <ThemeToggle />
          <SignOutButton />
        </div>
      </header>
      <main className="flex flex-1 justify-center px-4 pt-6 pb-16 sm:pt-14">
        <div className="w-full max-w-md rounded-2xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 sm:p-8 dark:bg-zinc-900 dark:ring-zinc-800">
          <p className="text-xs font-semibold tracking-wide text-indigo-600 uppercase dark:text-indigo-400">{t('onboarding.step')}</p>
          <h1 className="mt-1 text-xl font-semibold tracking-tight">{t('onboarding.title')}</h1>
          <p className="mt-1 mb-6 text-sm text-zinc-500 dark:text-zinc-400">{t('onboarding.subtitle')}</p>
          <CreateOrgForm />
        </div>
      </main>
    </div>
  );
}

function SignOutButton({ className }: { className?: string }) {
  const t = useT();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <Button
      variant="ghost"
      size="sm"
      className={className}
      onClick={async () => {
        await endSession(queryClient);
        await navigate({ to: '/sign-in' });
      }}
    >
      {t('nav.signOut')}
    </Button>
  );
}

const navItem =
  'flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100';
const navActive = 'bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-white';

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" className="size-5 shrink-0" fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
      <path strokeLinecap="round" strokeLinejoin="round" d={d} />
    </svg>
  );
}
const icons = {
  overview: 'M3 12l9-8 9 8M5 10v10h5v-6h4v6h5V10',
  chatbots: 'M12 3v3m-6 3h12a2 2 0 012 2v6a2 2 0 01-2 2H6a2 2 0 01-2-2v-6a2 2 0 012-2zm3 4.5h.01M15 13.5h.01M9.5 16.5h5M2 13v2m20-2v2',
  knowledge: 'M4 7c0-1.66 3.58-3 8-3s8 1.34 8 3-3.58 3-8 3-8-1.34-8-3zm0 0v5c0 1.66 3.58 3 8 3s8-1.34 8-3V7M4 12v5c0 1.66 3.58 3 8 3s8-1.34 8-3v-5',
  conversations: 'M8 10h8M8 14h5m-9 6l2.6-2.6A2 2 0 018 17h10a2 2 0 002-2V6a2 2 0 00-2-2H6a2 2 0 00-2 2v14z',
  analytics: 'M4 20V10m6 10V4m6 16v-7m4 7H3',
  channels: 'M8.5 14.5a5 5 0 010-7.07m7 0a5 5 0 010 7.07M5.64 17.36a9 9 0 010-12.72m12.72 0a9 9 0 010 12.72M12 12h.01',
  team: 'M17 20v-2a4 4 0 00-4-4H7a4 4 0 00-4 4v2M10 10a4 4 0 100-8 4 4 0 000 8zM21 20v-2a4 4 0 00-3-3.87M16 2.13a4 4 0 010 7.75',
  settings:
    'M10.3 4.3c.4-1.7 2.9-1.7 3.4 0a1.7 1.7 0 002.6 1.1c1.5-.9 3.3.8 2.4 2.4a1.7 1.7 0 001 2.5c1.8.5 1.8 3 0 3.5a1.7 1.7 0 00-1 2.5c.9 1.6-.9 3.3-2.4 2.4a1.7 1.7 0 00-2.6 1.1c-.5 1.7-3 1.7-3.4 0a1.7 1.7 0 00-2.6-1.1c-1.5.9-3.3-.8-2.4-2.4a1.7 1.7 0 00-1-2.5c-1.8-.5-1.8-3 0-3.5a1.7 1.7 0 001-2.5c-.9-1.6.9-3.3 2.4-2.4a1.7 1.7 0 002.6-1.1zM15 12a3 3 0 11-6 0 3 3 0 016 0z',
  docs: 'M12 6.25v13M12 6.25C10.8 5.45 9.2 5 7.5 5S4.2 5.45 3 6.25v13C4.2 18.45 5.8 18 7.5 18s3.3.45 4.5 1.25m0-13C13.2 5.45 14.8 5 16.5 5s3.3.45 4.5 1.25v13C19.8 18.45 18.2 18 16.5 18s-3.3.45-4.5 1.25',
  mail: 'M3 8l7.9 5.3a2 2 0 002.2 0L21 8M5 19h14a2 2 0 002-2V7a2 2 0 00-2-2H5a2 2 0 00-2 2v10a2 2 0 002 2z',
};

function Shell() {
  const t = useT();
  const [open, setOpen] = useState(false);
  const outbox = useQuery(devOutboxAvailableQuery());
  // One live connection for the organization, app-wide: inbox, bell and counts update from it.
  useLiveEvents();
  const orgId = useCurrentOrgId();
  const counts = useQuery({ ...inboxCountsQuery(orgId ?? ''), enabled: Boolean(orgId) });
  const unread = counts.data?.unread ?? 0;

  const sidebar = (
    <nav aria-label={t('nav.main')} className="flex h-full flex-col gap-6 px-3 py-4">
      <div className="flex items-center justify-between px-2">
        <Logo />
        <HandoffBell className="hidden lg:inline-flex" />
      </div>
      <OrgSwitcher />
      <ul className="flex flex-col gap-1" onClick={() => setOpen(false)}>
        <li>
          <Link to="/" activeOptions={{ exact: true }} className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.overview} /> {t('nav.overview')}
          </Link>
        </li>
        <li>
          <Link to="/chatbots" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.chatbots} /> {t('nav.chatbots')}
          </Link>
        </li>
        <li>
          <Link to="/knowledge" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.knowledge} /> {t('nav.knowledge')}
          </Link>
        </li>
        <li>
          <Link to="/conversations" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.conversations} /> {t('nav.conversations')}
            {unread > 0 && (
              <span className="ml-auto rounded-full bg-indigo-600 px-2 py-0.5 text-xs font-semibold text-white" aria-label={t('nav.unread', { count: unread })}>
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </Link>
        </li>
        <li>
          <Link to="/analytics" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.analytics} /> {t('nav.analytics')}
          </Link>
        </li>
        <li>
          <Link to="/channels" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.channels} /> {t('nav.channels')}
          </Link>
        </li>
        <li>
          <Link to="/team" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.team} /> {t('nav.team')}
          </Link>
        </li>
        <li>
          <Link to="/settings" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
            <Icon d={icons.settings} /> {t('nav.settings')}
          </Link>
        </li>
        <li>
          <a href="/api/docs" target="_blank" rel="noopener" className={navItem}>
            <Icon d={icons.docs} /> {t('nav.apiDocs')}
            <span className="sr-only"> ({t('common.newTab')})</span>
            <svg viewBox="0 0 20 20" className="ml-auto size-4 opacity-60" fill="currentColor" aria-hidden="true">
              <path d="M11 3a1 1 0 100 2h2.59l-6.3 6.29a1 1 0 101.42 1.42L15 6.41V9a1 1 0 102 0V4a1 1 0 00-1-1h-5zM5 5a2 2 0 00-2 2v8a2 2 0 002 2h8a2 2 0 002-2v-3a1 1 0 10-2 0v3H5V7h3a1 1 0 000-2H5z" />
            </svg>
          </a>
        </li>
        {outbox.data === true && (
          <li>
            <Link to="/dev/outbox" className={navItem} activeProps={{ className: navActive, 'aria-current': 'page' }}>
              <Icon d={icons.mail} /> {t('nav.outbox')}
            </Link>
          </li>
        )}
      </ul>
      <div className="mt-auto">
        <UserMenu />
      </div>
    </nav>
  );

  return (
    <div className="min-h-dvh lg:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        {t('nav.skip')}
      </a>
      <aside className="hidden w-64 shrink-0 border-r border-zinc-200 bg-white lg:fixed lg:inset-y-0 lg:block dark:border-zinc-800 dark:bg-zinc-900">
        {sidebar}
      </aside>
      <div className="sticky top-0 z-30 flex items-center justify-between border-b border-zinc-200 bg-white/90 px-4 py-2 backdrop-blur lg:hidden dark:border-zinc-800 dark:bg-zinc-900/90">
        <Logo />
        <div className="flex items-center gap-1">
          <HandoffBell />
        <button
          type="button"
          aria-label={t('nav.openMenu')}
          aria-expanded={open}
          onClick={() => setOpen(true)}
          className="rounded-md p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <Icon d="M4 6h16M4 12h16M4 18h16" />
        </button>
        </div>
      </div>
      {open && (
        <div className="fixed inset-0 z-40 lg:hidden" role="dialog" aria-modal="true" aria-label={t('nav.main')}>
          <div className="absolute inset-0 bg-zinc-950/50" onClick={() => setOpen(false)} />
          <div
            className="absolute inset-y-0 left-0 w-72 max-w-[85vw] overflow-y-auto bg-white shadow-xl dark:bg-zinc-900"
            onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
          >
            {sidebar}
          </div>
        </div>
      )}
      <main id="main" className="min-w-0 flex-1 lg:pl-64">
        <div className="mx-auto max-w-5xl px-4 py-6 sm:px-6 lg:px-8 lg:py-10">
          <Outlet />
        </div>
      </main>
    </div>
  );
}

function OrgSwitcher() {
  const t = useT();
  const router = useRouter();
  const { data: orgs } = useSuspenseQuery(organizationsQuery());
  const current = useCurrentOrgId();
  const [creating, setCreating] = useState(false);
  const id = useId();
  return (
    <div className="px-2">
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-zinc-500 dark:text-zinc-400">
        {t('nav.organization')}
      </label>
      <select
        id={id}
        value={current ?? ''}
        onChange={(e) => {
          if (e.target.value === '__new') {
            setCreating(true);
            return;
          }
          setCurrentOrgId(e.target.value);
          void router.invalidate();
        }}
        className="block w-full truncate rounded-lg border-0 bg-zinc-50 py-2 pr-8 pl-3 text-sm font-medium ring-1 ring-zinc-200 ring-inset focus:ring-2 focus:ring-indigo-600 dark:bg-zinc-800 dark:ring-zinc-700"
      >
        {orgs.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
        <option value="__new">+ {t('org.new')}</option>
      </select>
      <Dialog open={creating} onClose={() => setCreating(false)} title={t('org.new')}>
        <CreateOrgForm onDone={() => setCreating(false)} />
        <Button variant="ghost" className="mt-2 w-full" onClick={() => setCreating(false)}>
          {t('common.cancel')}
        </Button>
      </Dialog>
    </div>
  );
}

function MenuSection({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="border-t border-zinc-100 px-1 py-1.5 dark:border-zinc-800">
      <p className="px-2 pt-1 pb-1 text-xs font-medium text-zinc-500">{label}</p>
      {children}
    </div>
  );
}

function UserMenu() {
  const t = useT();
  const locale = useLocale();
  const [theme, setTheme] = useTheme();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { data: profile } = useSuspenseQuery(profileQuery());
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    ref.current?.querySelector<HTMLElement>('[data-menu-item]')?.focus();
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const chooseLocale = (l: Locale) => {
    setLocale(l);
    // Keep the account's language (used for emails) in step; the UI does not wait for it.
    api('/api/v1/users/profile', { method: 'PUT', body: { locale: l }, orgId: null })
      .then(() => queryClient.invalidateQueries({ queryKey: queryKeys.profile() }))
      .catch(() => undefined);
  };

  const initials = profile.name
    .split(/\s+/)
    .map((p) => p[0])
    .slice(0, 2)
    .join('')
    .toUpperCase();
  const item =
    'flex w-full items-center justify-between rounded-md px-2 py-1.5 text-left text-sm text-zinc-700 hover:bg-zinc-100 focus:bg-zinc-100 focus:outline-none dark:text-zinc-200 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800';

  return (
    <div
      ref={ref}
      className="relative"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      {open && (
        <div id={panelId} className="absolute bottom-full left-0 z-50 mb-2 w-full min-w-56 rounded-xl bg-white py-1 shadow-lg ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-700">
          <div className="px-1 pb-1">
            <Link to="/profile" data-menu-item className={item} onClick={() => setOpen(false)}>
              {t('nav.profile')}
            </Link>
          </div>
          <MenuSection label={t('common.language')}>
            {LOCALES.map((l) => (
              <button key={l} type="button" className={item} aria-pressed={locale === l} onClick={() => chooseLocale(l)}>
                {LOCALE_NAMES[l]}
                {locale === l && <span aria-hidden="true">✓</span>}
              </button>
            ))}
          </MenuSection>
          <MenuSection label={t('theme.label')}>
            <button type="button" className={item} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
              {theme === 'dark' ? t('theme.toLight') : t('theme.toDark')}
            </button>
          </MenuSection>
          <div className="border-t border-zinc-100 px-1 pt-1 dark:border-zinc-800">
            <button
              type="button"
              className={item}
              onClick={async () => {
                await endSession(queryClient);
                await navigate({ to: '/sign-in' });
              }}
            >
              {t('nav.signOut')}
            </button>
          </div>
        </div>
      )}
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t('nav.userMenu', { name: profile.name })}
        onClick={() => setOpen((o) => !o)}
        className={cx('flex w-full items-center gap-3 rounded-lg px-2 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800', open && 'bg-zinc-100 dark:bg-zinc-800')}
      >
        <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700 dark:bg-indigo-900 dark:text-indigo-200">
          {initials || '?'}
        </span>
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium">{profile.name}</span>
          <span className="block truncate text-xs text-zinc-500">{profile.email}</span>
        </span>
      </button>
    </div>
  );
}
