import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { Button, cx, Dialog, EmptyState, ErrorState, Spinner } from '../../../../components/ui';
import { linkClass } from '../../../../components/chrome';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { useLiveStatus } from '../../../../lib/live-events';
import { anyConversationQuery, CONVERSATION_STATUSES, conversationsQuery, inboxCountsQuery, type Conversation } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { ContactAvatar } from './contact-avatar';
import { FiltersPanel, useInboxSearch } from './filters-panel';
import { extraFilterCount, FOLDERS, hasAnyFilter, toFilters, type InboxSearch } from './search';
import { Avatar, ChannelIcon, contactName, Icon, ICONS, PriorityMarker, shortRelative, useNow, longRelative } from './shared';

export function ConversationList({
  selectedId,
  filtersOpen,
  onOpenFilters,
  onCloseFilters,
  onManageCanned,
}: {
  selectedId?: string;
  filtersOpen: boolean;
  onOpenFilters: () => void;
  onCloseFilters: () => void;
  onManageCanned: () => void;
}) {
  const t = useT();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const [search, set] = useInboxSearch();
  const filters = toFilters(search);
  const list = useInfiniteQuery({ ...conversationsQuery(org.id, filters), placeholderData: keepPreviousData });
  const counts = useQuery(inboxCountsQuery(org.id));
  const conversations = list.data?.pages.flatMap((p) => p.data) ?? [];
  const empty = list.isSuccess && !list.isPlaceholderData && conversations.length === 0;
  const any = useQuery({ ...anyConversationQuery(org.id), enabled: empty });
  const extra = extraFilterCount(search);
  // The counts cover open and pending conversations: shown only while looking at those.
  const showCounts = !search.status || search.status === 'pending';
  const folderCounts: Record<(typeof FOLDERS)[number], number | undefined> = {
    mine: counts.data?.mine,
    unassigned: counts.data?.unassigned,
    all: counts.data ? counts.data.open + counts.data.pending : undefined,
  };
  const statusId = useId();

  return (
    <>
      <header className="space-y-3 border-b border-zinc-200 px-4 pt-4 pb-0 dark:border-zinc-800">
        <div className="flex items-center gap-2">
          <h1 className="text-lg font-semibold tracking-tight">{t('inbox.title')}</h1>
          <LiveIndicator />
          <span className="flex-1" />
          {!!counts.data?.handoffRequested && search.handoff !== 'requested' && (
            <Link
              to="."
              search={(prev) => ({ ...prev, handoff: 'requested' as const, status: 'all' as const, unread: undefined, folder: undefined })}
              replace
              className="inline-flex items-center gap-1 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-800 hover:bg-amber-200 dark:bg-amber-900/60 dark:text-amber-200 dark:hover:bg-amber-900"
              title={t('inbox.folder.waiting')}
            >
              <Icon d={ICONS.hand} className="size-3.5" />
              <span className="sr-only">{t('inbox.folder.waiting')}: </span>
              {counts.data.handoffRequested}
            </Link>
          )}
          <Button
            variant={extra ? 'secondary' : 'ghost'}
            size="sm"
            className="2xl:hidden"
            onClick={onOpenFilters}
            aria-label={extra ? t('inbox.filtersActive', { count: extra }) : t('inbox.filtersButton')}
            title={t('inbox.filtersButton')}
          >
            <Icon d={ICONS.filter} className="size-4" />
            {extra > 0 && <span className="tabular-nums">{extra}</span>}
          </Button>
        </div>
        <div className="flex gap-2">
          <div className="min-w-0 flex-1">
            <SearchBox value={search.q ?? ''} onChange={(q) => set({ q: q || undefined })} />
          </div>
          <label htmlFor={statusId} className="sr-only">
            {t('details.status')}
          </label>
          <select
            id={statusId}
            value={search.status ?? 'open'}
            onChange={(e) => set({ status: e.target.value === 'open' ? undefined : (e.target.value as InboxSearch['status']) })}
            className="w-30 shrink-0 rounded-lg border-0 bg-zinc-100 py-1.5 pr-7 pl-2.5 text-sm font-medium text-zinc-800 focus:ring-2 focus:ring-indigo-600 dark:bg-zinc-900 dark:text-zinc-100"
          >
            {CONVERSATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`inbox.status.${s}`)}
              </option>
            ))}
            <option value="all">{t('inbox.statusAll')}</option>
          </select>
        </div>
        <nav aria-label={t('inbox.folders')} className="-mb-px flex gap-5">
          {FOLDERS.map((f) => {
            const active = (search.folder ?? 'all') === f;
            return (
              <Link
                key={f}
                to="."
                search={(prev) => ({ ...prev, folder: f === 'all' ? undefined : f })}
                replace
                aria-current={active ? 'page' : undefined}
                className={cx(
                  'flex items-center gap-1.5 border-b-2 pb-2.5 text-sm font-medium whitespace-nowrap',
                  active
                    ? 'border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300'
                    : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200',
                )}
              >
                {t(`inbox.folder.${f}`)}
                {showCounts && folderCounts[f] !== undefined && (
                  <span
                    className={cx(
                      'rounded-full px-1.5 text-xs tabular-nums',
                      active ? 'bg-indigo-100 text-indigo-700 dark:bg-indigo-900/60 dark:text-indigo-200' : 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400',
                    )}
                  >
                    {folderCounts[f]}
                  </span>
                )}
              </Link>
            );
          })}
        </nav>
      </header>

      <div className={cx('min-h-0 flex-1 overflow-y-auto', list.isPlaceholderData && 'opacity-60 transition-opacity')}>
        {list.isPending ? (
          <ListSkeleton />
        ) : list.isError && conversations.length === 0 ? (
          <div className="p-4">
            <ErrorState message={`${t('inbox.loadError')} ${errorMessage(list.error)}`} onRetry={() => void list.refetch()} />
          </div>
        ) : empty ? (
          any.data === false && !hasAnyFilter({ ...search, status: undefined }) ? (
            <NoConversationsYet />
          ) : (
            <div className="p-4">
              <EmptyState
                title={t('inbox.noMatchTitle')}
                description={t('inbox.noMatchDesc')}
                action={
                  hasAnyFilter(search) && (
                    <Button variant="secondary" size="sm" onClick={() => set({ folder: undefined, status: undefined, channel: undefined, bot: undefined, priority: undefined, tag: undefined, handoff: undefined, unread: undefined, q: undefined })}>
                      {t('inbox.filter.clear')}
                    </Button>
                  )
                }
              />
            </div>
          )
        ) : (
          <>
            <ul aria-label={t('inbox.list')} className="divide-y divide-zinc-100 dark:divide-zinc-800/70">
              {conversations.map((c) => (
                <li key={c.id}>
                  <ConversationItem conversation={c} selected={c.id === selectedId} />
                </li>
              ))}
            </ul>
            <LoadMore
              hasMore={!!list.hasNextPage}
              loading={list.isFetchingNextPage}
              onLoad={() => void list.fetchNextPage()}
              error={list.isFetchNextPageError ? errorMessage(list.error) : null}
            />
          </>
        )}
      </div>

      <Dialog open={filtersOpen} onClose={onCloseFilters} title={t('inbox.filters')}>
        <div className="-mx-2 flex max-h-[60vh] flex-col">
          <FiltersPanel
            onManageCanned={() => {
              onCloseFilters();
              onManageCanned();
            }}
          />
        </div>
        <div className="mt-4 flex justify-end">
          <Button onClick={onCloseFilters}>{t('common.done')}</Button>
        </div>
      </Dialog>
    </>
  );
}

function LiveIndicator() {
  const t = useT();
  const status = useLiveStatus();
  if (status === 'idle') return null;
  const live = status === 'open';
  const label = live ? t('inbox.live') : status === 'connecting' ? t('inbox.connecting') : t('inbox.reconnecting');
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-xs text-zinc-500" title={label}>
      <span className="relative flex size-2">
        {live && <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60 motion-reduce:hidden" />}
        <span className={cx('relative inline-flex size-2 rounded-full', live ? 'bg-emerald-500' : 'bg-amber-400')} />
      </span>
      <span className={cx(live && 'sr-only')}>{label}</span>
    </span>
  );
}

/** Debounced: the URL (and the query) change 300 ms after the last keystroke. */
function SearchBox({ value, onChange }: { value: string; onChange: (q: string) => void }) {
  const t = useT();
  const id = useId();
  const [text, setText] = useState(value);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(() => latest.current(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <div className="relative">
      <label htmlFor={id} className="sr-only">
        {t('inbox.search')}
      </label>
      <Icon d={ICONS.search} className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400" />
      <input
        id={id}
        type="search"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') latest.current(text.trim());
          if (e.key === 'Escape' && text) {
            e.preventDefault();
            setText('');
            latest.current('');
          }
        }}
        placeholder={t('inbox.searchPlaceholder')}
        maxLength={200}
        className="block w-full rounded-lg border-0 bg-zinc-100 py-1.5 pr-3 pl-8 text-sm text-zinc-900 placeholder:text-zinc-500 focus:bg-white focus:ring-2 focus:ring-indigo-600 dark:bg-zinc-900 dark:text-zinc-100 dark:focus:bg-zinc-900"
      />
    </div>
  );
}

function ConversationItem({ conversation: c, selected }: { conversation: Conversation; selected: boolean }) {
  const t = useT();
  const locale = useLocale();
  const now = useNow();
  const org = useOrg();
  const name = contactName(c, t);
  const unread = c.unreadCount > 0;
  const ref = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return (
    <Link
      ref={ref}
      to="/conversations/$conversationId"
      params={{ conversationId: c.id }}
      search={true}
      data-conversation-id={c.id}
      aria-current={selected ? 'page' : undefined}
      className={cx(
        'group relative flex gap-3 px-4 py-3 outline-offset-[-2px] transition-colors',
        selected ? 'bg-indigo-50/80 dark:bg-indigo-950/40' : 'hover:bg-zinc-50 dark:hover:bg-zinc-900',
      )}
    >
      {selected && <span aria-hidden="true" className="absolute inset-y-0 left-0 w-0.5 bg-indigo-600 dark:bg-indigo-400" />}
      <div className="relative">
        <ContactAvatar orgId={org.id} contact={c.contact} name={name} />
        <span className="absolute -right-1 -bottom-1 flex size-4 items-center justify-center rounded-full bg-white text-zinc-500 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-700">
          <ChannelIcon channel={c.channel} className="size-2.5" />
        </span>
      </div>
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <span className={cx('min-w-0 flex-1 truncate text-sm', unread ? 'font-semibold text-zinc-900 dark:text-white' : 'font-medium text-zinc-800 dark:text-zinc-200')}>
            {name}
          </span>
          <time dateTime={c.lastMessageAt ?? undefined} title={longRelative(c.lastMessageAt, locale, now)} className={cx('shrink-0 text-xs tabular-nums', unread ? 'font-medium text-indigo-600 dark:text-indigo-400' : 'text-zinc-500')}>
            {shortRelative(c.lastMessageAt, locale, now, t)}
          </time>
        </div>
        <div className="mt-0.5 flex items-center gap-2">
          <p className={cx('min-w-0 flex-1 truncate text-sm', unread ? 'text-zinc-800 dark:text-zinc-200' : 'text-zinc-500 dark:text-zinc-400')}>
            {c.lastMessagePreview || <span className="italic">{t('inbox.noPreview')}</span>}
          </p>
          {unread && (
            <span className="flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white tabular-nums" aria-label={t('inbox.unreadBadge', { count: c.unreadCount })}>
              {c.unreadCount > 99 ? '99+' : c.unreadCount}
            </span>
          )}
        </div>
        <div className="mt-1.5 flex min-h-4 flex-wrap items-center gap-x-2 gap-y-1 text-xs text-zinc-500">
          {c.bot && <span className="max-w-32 truncate">{c.bot.name}</span>}
          {c.handoff === 'requested' && c.status !== 'resolved' && c.status !== 'closed' && (
            <span className="inline-flex items-center gap-1 rounded-md bg-amber-100 px-1.5 py-0.5 font-medium text-amber-800 dark:bg-amber-900/50 dark:text-amber-200">
              <Icon d={ICONS.hand} className="size-3" /> {t('inbox.needsPerson')}
            </span>
          )}
          {c.handoff === 'human' && (
            <span className="inline-flex items-center gap-1 rounded-md bg-emerald-50 px-1.5 py-0.5 font-medium text-emerald-700 dark:bg-emerald-950/60 dark:text-emerald-300">
              <Icon d={ICONS.user} className="size-3" /> {t('inbox.humanAnswering')}
            </span>
          )}
          <PriorityMarker priority={c.priority} withLabel />
          {c.tags.slice(0, 2).map((tag) => (
            <span key={tag} className="rounded bg-zinc-100 px-1 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
              #{tag}
            </span>
          ))}
          {c.assignee && (
            <span className="ml-auto" title={t('inbox.assignedTo', { name: c.assignee.name })}>
              <Avatar name={c.assignee.name} seed={c.assignee.id} size="sm" />
              <span className="sr-only">{t('inbox.assignedTo', { name: c.assignee.name })}</span>
            </span>
          )}
        </div>
      </div>
    </Link>
  );
}

function LoadMore({ hasMore, loading, onLoad, error }: { hasMore: boolean; loading: boolean; onLoad: () => void; error: string | null }) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(onLoad);
  latest.current = onLoad;
  // Infinite scroll: load the next page as the end of the list comes into view; the button stays for keyboards.
  useEffect(() => {
    const el = ref.current;
    if (!el || !hasMore || error) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && latest.current(), { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [hasMore, error]);
  if (!hasMore) return <p className="py-4 text-center text-xs text-zinc-400">{t('inbox.endOfList')}</p>;
  return (
    <div ref={ref} className="flex flex-col items-center gap-2 p-4">
      {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
      <Button variant="secondary" size="sm" loading={loading} onClick={onLoad}>
        {loading ? t('inbox.loadingMore') : t('inbox.loadMore')}
      </Button>
    </div>
  );
}

function ListSkeleton() {
  return (
    <ul aria-hidden="true" className="divide-y divide-zinc-100 dark:divide-zinc-800/70">
      {Array.from({ length: 7 }, (_, i) => (
        <li key={i} className="flex animate-pulse gap-3 px-4 py-3.5 motion-reduce:animate-none">
          <span className="size-9 rounded-full bg-zinc-200 dark:bg-zinc-800" />
          <span className="flex-1 space-y-2">
            <span className="flex justify-between gap-4">
              <span className="h-3.5 w-1/2 rounded bg-zinc-200 dark:bg-zinc-800" />
              <span className="h-3 w-8 rounded bg-zinc-100 dark:bg-zinc-800/70" />
            </span>
            <span className="block h-3 w-5/6 rounded bg-zinc-100 dark:bg-zinc-800/70" />
            <span className="block h-3 w-1/3 rounded bg-zinc-100 dark:bg-zinc-800/70" />
          </span>
        </li>
      ))}
      <li className="sr-only">
        <Spinner />
      </li>
    </ul>
  );
}

function NoConversationsYet() {
  const t = useT();
  return (
    <div className="flex flex-col items-center px-6 py-12 text-center">
      <div className="mb-4 flex size-14 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-600 ring-1 ring-indigo-100 dark:bg-indigo-950 dark:text-indigo-300 dark:ring-indigo-900">
        <Icon d={ICONS.chat} className="size-7" />
      </div>
      <h2 className="text-base font-semibold">{t('inbox.emptyTitle')}</h2>
      <p className="mt-2 max-w-xs text-sm text-zinc-500 dark:text-zinc-400">{t('inbox.emptyDesc')}</p>
      <div className="mt-3 w-full max-w-xs rounded-lg bg-zinc-950 px-3 py-2 text-left font-mono text-[11px] leading-relaxed text-zinc-300" aria-hidden="true">
        {'<script src=".../widget.js"'}
        <br />
        {'  data-bot-id="…" async></script>'}
      </div>
      <Link to="/chatbots" className={cx(linkClass, 'mt-4 text-sm')}>
        {t('inbox.emptyAction')} →
      </Link>
    </div>
  );
}
