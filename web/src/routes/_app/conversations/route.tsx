import { createFileRoute, Outlet, useMatch, useNavigate } from '@tanstack/react-router';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { cx } from '../../../components/ui';
import { useLiveEvents } from '../../../lib/live-events';
import { botsQuery, membersQuery } from '../../../lib/queries';
import { inboxCountsQuery } from '../../../lib/queries-inbox';
import { CannedResponsesDialog } from './-components/canned-dialog';
import { ConversationList } from './-components/conversation-list';
import { FiltersPanel } from './-components/filters-panel';
import { validateInboxSearch } from './-components/search';

export const Route = createFileRoute('/_app/conversations')({
  validateSearch: validateInboxSearch,
  loader: ({ context: { queryClient, orgId } }) => {
    if (!orgId) return;
    void queryClient.prefetchQuery(inboxCountsQuery(orgId));
    void queryClient.prefetchQuery(botsQuery(orgId));
    void queryClient.prefetchQuery(membersQuery(orgId));
  },
  component: InboxLayout,
});

/**
 * The inbox takes the whole content area (not the centred column other pages use): it measures
 * the `<main>` it sits in and fills it edge to edge and down to the bottom of the window, so it
 * works whatever header or sidebar the shell has. Columns scroll on their own.
 */
function useFillMain() {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    const parent = el?.parentElement;
    if (!el || !parent) return;
    const main = el.closest('main') ?? document.body;
    const update = () => {
      el.style.marginLeft = '0px';
      el.style.marginTop = '0px';
      const m = main.getBoundingClientRect();
      const ms = getComputedStyle(main);
      const p = parent.getBoundingClientRect();
      const ps = getComputedStyle(parent);
      const mainLeft = m.left + main.clientLeft + parseFloat(ms.paddingLeft);
      const mainWidth = main.clientWidth - parseFloat(ms.paddingLeft) - parseFloat(ms.paddingRight);
      const mainTop = m.top + main.clientTop + parseFloat(ms.paddingTop);
      el.style.marginLeft = `${Math.round(mainLeft - (p.left + parseFloat(ps.paddingLeft)))}px`;
      el.style.marginTop = `${Math.round(mainTop - (p.top + parseFloat(ps.paddingTop)))}px`;
      el.style.marginBottom = `${-Math.round(parseFloat(ps.paddingBottom))}px`;
      el.style.width = `${Math.floor(mainWidth)}px`;
      const top = el.getBoundingClientRect().top + window.scrollY;
      el.style.height = `${Math.max(360, Math.floor(window.innerHeight - top))}px`;
    };
    update();
    window.addEventListener('resize', update);
    const observer = new ResizeObserver(update);
    observer.observe(main);
    return () => {
      window.removeEventListener('resize', update);
      observer.disconnect();
    };
  }, []);
  return ref;
}

function InboxLayout() {
  // The inbox works live even before the shell mounts the app-wide connection (shared, not doubled).
  useLiveEvents();
  const ref = useFillMain();
  const detail = useMatch({ from: '/_app/conversations/$conversationId', shouldThrow: false });
  const selectedId = detail?.params.conversationId;
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [cannedOpen, setCannedOpen] = useState(false);
  useListKeyboard(selectedId);

  return (
    <div
      ref={ref}
      className="flex min-h-0 overflow-hidden border-zinc-200 bg-white lg:border-l dark:border-zinc-800 dark:bg-zinc-950"
      data-testid="inbox"
    >
      <aside className="hidden w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50/70 2xl:flex dark:border-zinc-800 dark:bg-zinc-900/40">
        <FiltersPanel onManageCanned={() => setCannedOpen(true)} />
      </aside>
      <section className={cx('min-h-0 w-full shrink-0 flex-col border-r border-zinc-200 md:flex md:w-80 xl:w-96 2xl:w-80 dark:border-zinc-800', selectedId ? 'hidden' : 'flex')}>
        <ConversationList
          selectedId={selectedId}
          filtersOpen={filtersOpen}
          onOpenFilters={() => setFiltersOpen(true)}
          onCloseFilters={() => setFiltersOpen(false)}
          onManageCanned={() => setCannedOpen(true)}
        />
      </section>
      <div className={cx('min-h-0 min-w-0 flex-1 flex-col md:flex', selectedId ? 'flex' : 'hidden')}>
        <Outlet />
      </div>
      <CannedResponsesDialog open={cannedOpen} onClose={() => setCannedOpen(false)} />
    </div>
  );
}

/** j / k (and ↓ / ↑ on a focused item) move through the list, like mail clients. */
function useListKeyboard(selectedId: string | undefined) {
  const navigate = useNavigate();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      const typing = target?.closest('input, textarea, select, [contenteditable="true"], dialog');
      const onItem = target?.closest('[data-conversation-id]');
      const down = e.key === 'j' || (onItem && e.key === 'ArrowDown');
      const up = e.key === 'k' || (onItem && e.key === 'ArrowUp');
      if (typing || (!down && !up)) return;
      const items = [...document.querySelectorAll<HTMLAnchorElement>('[data-conversation-id]')];
      if (items.length === 0) return;
      const current = onItem ? items.indexOf(onItem as HTMLAnchorElement) : items.findIndex((a) => a.dataset.conversationId === selectedId);
      const next = items[current < 0 ? 0 : Math.min(items.length - 1, Math.max(0, current + (down ? 1 : -1)))];
      if (!next) return;
      e.preventDefault();
      next.focus();
      if (e.key === 'j' || e.key === 'k') {
        void navigate({ to: '/conversations/$conversationId', params: { conversationId: next.dataset.conversationId! }, search: true });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [navigate, selectedId]);
}
