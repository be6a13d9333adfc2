/**
 * The header's bell: how many conversations wait for a person, a popover listing them, and a
 * notification (in-app card; desktop notification when the tab is hidden and allowed) whenever
 * a `conversation.handoff` event arrives on the live stream.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { useLocale, useT } from '../lib/i18n';
import { useLiveEvent, useLiveEvents, type ConversationEventData } from '../lib/live-events';
import { contactName, conversationQuery, conversationsPreviewQuery, inboxCountsQuery } from '../lib/queries-inbox';
import { useOrg } from '../lib/use-org';
import { cx } from './ui';

const BELL = 'M15 17h5l-1.4-1.4A2 2 0 0118 14.2V11a6 6 0 00-4-5.7V5a2 2 0 10-4 0v.3A6 6 0 006 11v3.2a2 2 0 01-.6 1.4L4 17h5m6 0v1a3 3 0 11-6 0v-1m6 0H9';
const HAND =
  'M7 11V6.5a1.5 1.5 0 013 0V11m0-1V4.5a1.5 1.5 0 013 0V10m0 0V5.5a1.5 1.5 0 013 0V12m0-3.5a1.5 1.5 0 013 0V15a6 6 0 01-6 6h-1.5a6 6 0 01-4.8-2.4L4.4 14.6a1.5 1.5 0 012.3-1.9L7 13';
const WAITING = { handoff: 'requested', status: 'open' } as const;

function ago(value: string | null, locale: string) {
  if (!value) return '';
  const diff = (new Date(value).getTime() - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (Math.abs(diff) < 60) return rtf.format(Math.round(diff), 'second');
  if (Math.abs(diff) < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (Math.abs(diff) < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86_400), 'day');
}

/**
 * The shell may mount more than one bell (say, one in the desktop sidebar and one in the phone's
 * top bar, one of them hidden by CSS). Only the first mounted one announces handoffs, so alerts
 * and desktop notifications never come twice; its alerts are portalled to <body>, so a bell
 * hidden by its container still shows them.
 */
const owners: number[] = [];
const ownerListeners = new Set<() => void>();
let ownerSeq = 1;
function useIsAnnouncer() {
  const [me] = useState(() => ownerSeq++);
  useEffect(() => {
    owners.push(me);
    ownerListeners.forEach((l) => l());
    return () => {
      owners.splice(owners.indexOf(me), 1);
      ownerListeners.forEach((l) => l());
    };
  }, [me]);
  return useSyncExternalStore(
    (l) => {
      ownerListeners.add(l);
      return () => ownerListeners.delete(l);
    },
    () => owners[0] === me,
  );
}

interface Alert {
  key: number;
  conversationId: string;
  name: string;
}
let alertSeq = 1;

export function HandoffBell({ className }: { className?: string }) {
  // Keeps the live connection open wherever the bell is (shared with any other mount).
  useLiveEvents();
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const counts = useQuery(inboxCountsQuery(org.id));
  const [pos, setPos] = useState<{ top: number; left: number } | null>(null);
  const open = pos !== null;
  const waiting = useQuery({ ...conversationsPreviewQuery(org.id, WAITING, 10), enabled: open });
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'denied' : Notification.permission));
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const count = counts.data?.handoffRequested ?? 0;
  const fallbackName = t('bell.someone');
  const announcer = useIsAnnouncer();

  useLiveEvent('conversation.handoff', async (e) => {
    const { conversationId } = e.data as unknown as ConversationEventData;
    if (!conversationId || !announcer) return;
    let name = fallbackName;
    try {
      name = contactName(await queryClient.fetchQuery(conversationQuery(org.id, conversationId)), t);
    } catch {
      // The card still links to it.
    }
    const key = alertSeq++;
    setAlerts((list) => [...list.filter((a) => a.conversationId !== conversationId).slice(-2), { key, conversationId, name }]);
    setTimeout(() => setAlerts((list) => list.filter((a) => a.key !== key)), 12_000);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.hidden) {
      try {
        const n = new Notification(t('bell.alert', { name }), { tag: `handoff-${conversationId}`, body: t('bell.alertOpen') });
        n.onclick = () => {
          window.focus();
          void navigate({ to: '/conversations/$conversationId', params: { conversationId } });
          n.close();
        };
      } catch {
        // Some browsers only allow notifications from a service worker.
      }
    }
  });

  const close = (focus = true) => {
    setPos(null);
    if (focus) buttonRef.current?.focus();
  };
  const toggle = () => {
    if (open) return close();
    const r = buttonRef.current!.getBoundingClientRect();
    // Under the bell, right-aligned to it when there is room on its left (a header), else left-aligned (a sidebar).
    const width = Math.min(352, window.innerWidth - 16);
    const left = r.right - width >= 8 ? r.right - width : Math.min(Math.max(8, r.left), window.innerWidth - width - 8);
    setPos({ top: r.bottom + 8, left });
  };

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!panelRef.current?.contains(e.target as Node) && !buttonRef.current?.contains(e.target as Node)) setPos(null);
    };
    const onResize = () => setPos(null);
    // Rendered at the end of <body> (so no stacking context of the header can cover it): take focus there.
    panelRef.current?.focus();
    document.addEventListener('mousedown', onDown);
    window.addEventListener('resize', onResize);
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('resize', onResize);
    };
  }, [open]);

  const label = count > 0 ? t('bell.labelCount', { count }) : t('bell.label');
  const list = waiting.data?.data ?? [];

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        onClick={toggle}
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-haspopup="dialog"
        className={cx(
          'relative inline-flex size-9 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white',
          open && 'bg-zinc-100 dark:bg-zinc-800',
          className,
        )}
      >
        <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
          <path strokeLinecap="round" strokeLinejoin="round" d={BELL} />
        </svg>
        {count > 0 && (
          <span
            data-testid="handoff-badge"
            aria-hidden="true"
            className="absolute -top-0.5 -right-0.5 flex h-[18px] min-w-[18px] items-center justify-center rounded-full bg-amber-500 px-1 text-[11px] leading-none font-bold text-white tabular-nums ring-2 ring-white dark:ring-zinc-900"
          >
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>

      {open &&
        createPortal(
        <div
          ref={panelRef}
          id={panelId}
          tabIndex={-1}
          role="dialog"
          aria-label={t('bell.title')}
          style={{ top: pos.top, left: pos.left }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
          onBlur={(e) => {
            if (e.relatedTarget && !panelRef.current?.contains(e.relatedTarget as Node) && e.relatedTarget !== buttonRef.current) close(false);
          }}
          className="fixed z-50 w-[min(22rem,calc(100vw-1rem))] overflow-hidden rounded-xl outline-none bg-white shadow-xl ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-700"
        >
          <div className="flex items-center justify-between border-b border-zinc-100 px-4 py-3 dark:border-zinc-800">
            <h2 className="text-sm font-semibold">{t('bell.title')}</h2>
            {count > 0 && <span className="rounded-full bg-amber-100 px-2 text-xs font-semibold text-amber-800 dark:bg-amber-900/60 dark:text-amber-200">{count}</span>}
          </div>
          {waiting.isPending ? (
            <p className="px-4 py-6 text-center text-sm text-zinc-500">{t('common.loading')}</p>
          ) : list.length === 0 ? (
            <p className="px-4 py-8 text-center text-sm text-zinc-500">{t('bell.empty')}</p>
          ) : (
            <ul className="max-h-80 divide-y divide-zinc-100 overflow-y-auto dark:divide-zinc-800">
              {list.map((c) => (
                <li key={c.id}>
                  <Link
                    to="/conversations/$conversationId"
                    params={{ conversationId: c.id }}
                    onClick={() => close(false)}
                    className="flex gap-3 px-4 py-3 hover:bg-zinc-50 focus:bg-zinc-50 focus:outline-none dark:hover:bg-zinc-800/60 dark:focus:bg-zinc-800/60"
                  >
                    <span className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-full bg-amber-100 text-amber-700 dark:bg-amber-900/60 dark:text-amber-300" aria-hidden="true">
                      <svg viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75">
                        <path strokeLinecap="round" strokeLinejoin="round" d={HAND} />
                      </svg>
                    </span>
                    <span className="min-w-0 flex-1">
                      <span className="flex items-baseline justify-between gap-2">
                        <span className="truncate text-sm font-medium">{contactName(c, t)}</span>
                        <span className="shrink-0 text-xs text-zinc-500">{ago(c.handedOffAt ?? c.lastMessageAt, locale)}</span>
                      </span>
                      <span className="block truncate text-xs text-zinc-500">{c.lastMessagePreview}</span>
                      {c.bot && <span className="block truncate text-xs text-zinc-400">{c.bot.name}</span>}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <div className="flex flex-wrap items-center justify-between gap-2 border-t border-zinc-100 px-4 py-2.5 dark:border-zinc-800">
            <Link
              to="/conversations"
              search={{ handoff: 'requested', status: 'all' }}
              onClick={() => close(false)}
              className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400"
            >
              {t('bell.seeAll')} →
            </Link>
            {permission === 'default' && (
              <button
                type="button"
                className="text-xs text-zinc-500 hover:text-zinc-800 hover:underline dark:hover:text-zinc-200"
                onClick={() => void Notification.requestPermission().then(setPermission)}
              >
                {t('bell.enableDesktop')}
              </button>
            )}
          </div>
        </div>,
          document.body,
        )}

      {announcer &&
        alerts.length > 0 &&
        createPortal(
        <div aria-live="polite" className="pointer-events-none fixed top-4 right-4 z-50 flex w-[min(22rem,calc(100vw-2rem))] flex-col gap-2">
          {alerts.map((a) => (
            <div
              key={a.key}
              role="status"
              className="pointer-events-auto flex items-start gap-3 rounded-xl bg-white p-3 shadow-lg ring-1 ring-amber-300 dark:bg-zinc-900 dark:ring-amber-700"
            >
              <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-amber-100 text-amber-700 dark:bg-amber-900/60 dark:text-amber-300" aria-hidden="true">
                <svg viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75">
                  <path strokeLinecap="round" strokeLinejoin="round" d={HAND} />
                </svg>
              </span>
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium">{t('bell.alert', { name: a.name })}</p>
                <Link
                  to="/conversations/$conversationId"
                  params={{ conversationId: a.conversationId }}
                  onClick={() => setAlerts((list) => list.filter((x) => x.key !== a.key))}
                  className="mt-1 inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                >
                  {t('bell.alertOpen')} →
                </Link>
              </div>
              <button
                type="button"
                onClick={() => setAlerts((list) => list.filter((x) => x.key !== a.key))}
                aria-label={t('bell.dismiss')}
                className="rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
              >
                ×
              </button>
            </div>
          ))}
        </div>,
          document.body,
        )}
    </>
  );
}
