import { useEffect, useState } from 'react';
import { Badge, cx } from '../../../../components/ui';
import { useT, type TFunction } from '../../../../lib/i18n';
import type { MessageKey } from '../../../../lib/messages';
import { contactName, type ConversationStatus, type Priority } from '../../../../lib/queries-inbox';

export { contactName };

export function initialsOf(name: string) {
  const letters = name
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((p) => p[0]);
  return (letters.length > 1 ? letters[0] + letters[letters.length - 1] : (letters[0] ?? '?')).toUpperCase();
}

const AVATAR_TONES = [
  'bg-indigo-100 text-indigo-700 dark:bg-indigo-900/70 dark:text-indigo-200',
  'bg-emerald-100 text-emerald-700 dark:bg-emerald-900/70 dark:text-emerald-200',
  'bg-amber-100 text-amber-800 dark:bg-amber-900/70 dark:text-amber-200',
  'bg-rose-100 text-rose-700 dark:bg-rose-900/70 dark:text-rose-200',
  'bg-sky-100 text-sky-700 dark:bg-sky-900/70 dark:text-sky-200',
  'bg-violet-100 text-violet-700 dark:bg-violet-900/70 dark:text-violet-200',
  'bg-teal-100 text-teal-700 dark:bg-teal-900/70 dark:text-teal-200',
];

function hash(s: string) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function Avatar({ name, seed, size = 'md', className, testId }: { name: string; seed: string; size?: 'sm' | 'md' | 'lg'; className?: string; testId?: string }) {
  return (
    <span
      aria-hidden="true"
      data-testid={testId}
      className={cx(
        'flex shrink-0 items-center justify-center rounded-full font-semibold select-none',
        size === 'sm' ? 'size-6 text-[10px]' : size === 'lg' ? 'size-11 text-base' : 'size-9 text-xs',
        AVATAR_TONES[hash(seed) % AVATAR_TONES.length],
        className,
      )}
    >
      {initialsOf(name)}
    </span>
  );
}

const CHANNEL_PATHS: Record<string, string> = {
  web: 'M12 21a9 9 0 100-18 9 9 0 000 18zm0 0c2.5-2.5 3.5-5.5 3.5-9S14.5 5.5 12 3m0 18c-2.5-2.5-3.5-5.5-3.5-9S9.5 5.5 12 3M3.5 9h17M3.5 15h17',
  whatsapp: 'M3 21l1.65-4.5A8.5 8.5 0 1112 20.5a8.4 8.4 0 01-4.2-1.1L3 21zm6-12c0 3.3 2.7 6 6 6l1.2-1.5-2-1-1 .8a4 4 0 01-2.5-2.5l.8-1-1-2L9 9z',
  messenger: 'M12 3C7 3 3 6.7 3 11.3c0 2.6 1.3 4.9 3.3 6.4V21l3-1.7c.9.3 1.8.4 2.7.4 5 0 9-3.7 9-8.4S17 3 12 3zm-4 10.5l3-3.2 2 2 3-3.2',
  instagram: 'M7 3h10a4 4 0 014 4v10a4 4 0 01-4 4H7a4 4 0 01-4-4V7a4 4 0 014-4zm5 13a4 4 0 100-8 4 4 0 000 8zm5-9.5h.01',
  telegram: 'M21 4L3 11l6 2.5M21 4l-3 16-9-6.5M21 4L9 13.5V19l3-3',
  api: 'M8 9l-4 3 4 3m8-6l4 3-4 3M13.5 6l-3 12',
  playground: 'M5 3l14 9-14 9V3z',
};

export function ChannelIcon({ channel, className = 'size-3.5' }: { channel: string; className?: string }) {
  const t = useT();
  const known = channel in CHANNEL_PATHS;
  return (
    <svg viewBox="0 0 24 24" className={cx('shrink-0', className)} fill="none" stroke="currentColor" strokeWidth="1.8" role="img" aria-label={known ? t(`inbox.channel.${channel}` as MessageKey) : channel}>
      <path strokeLinecap="round" strokeLinejoin="round" d={CHANNEL_PATHS[channel] ?? CHANNEL_PATHS.api} />
    </svg>
  );
}

export function channelLabel(channel: string, t: TFunction) {
  return channel in CHANNEL_PATHS ? t(`inbox.channel.${channel}` as MessageKey) : channel;
}

const STATUS_TONE: Record<ConversationStatus, 'green' | 'amber' | 'zinc' | 'indigo'> = {
  open: 'indigo',
  pending: 'amber',
  resolved: 'green',
  closed: 'zinc',
};

export function ConversationStatusBadge({ status }: { status: ConversationStatus }) {
  const t = useT();
  return <Badge tone={STATUS_TONE[status]}>{t(`inbox.status.${status}`)}</Badge>;
}

const PRIORITY_COLOR: Record<Priority, string> = {
  low: 'text-zinc-400',
  medium: 'text-sky-500',
  high: 'text-amber-500',
  urgent: 'text-red-600 dark:text-red-400',
};

/** A small flag; low and medium are the default and show nothing unless `always`. */
export function PriorityMarker({ priority, always, withLabel }: { priority: Priority; always?: boolean; withLabel?: boolean }) {
  const t = useT();
  if (!always && (priority === 'low' || priority === 'medium')) return null;
  const label = t('inbox.priorityLabel', { priority: t(`inbox.priority.${priority}`) });
  return (
    <span className={cx('inline-flex items-center gap-1 text-xs font-medium', PRIORITY_COLOR[priority])} title={label}>
      <svg viewBox="0 0 20 20" className="size-3.5" fill="currentColor" role="img" aria-label={label}>
        <path d="M4 2.75a.75.75 0 01.75.75V4h9.7a.75.75 0 01.6 1.2L13.2 8l1.85 2.8a.75.75 0 01-.6 1.2h-9.7v5.25a.75.75 0 01-1.5 0V3.5A.75.75 0 014 2.75z" />
      </svg>
      {withLabel && <span>{t(`inbox.priority.${priority}`)}</span>}
    </span>
  );
}

/** Re-renders every `ms` so relative times stay true. */
export function useNow(ms = 30_000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** "now", "5 min", "3 h", "yesterday", then a short date: what inbox lists show. */
export function shortRelative(value: string | null | undefined, locale: string, now: number, t: TFunction) {
  if (!value) return '';
  const d = new Date(value);
  const diff = Math.max(0, now - d.getTime());
  const min = Math.floor(diff / 60_000);
  if (min < 1) return t('inbox.time.now');
  if (min < 60) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'narrow' }).format(min);
  const h = Math.floor(min / 60);
  if (h < 24) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'hour', unitDisplay: 'narrow' }).format(h);
  const days = Math.floor(h / 24);
  if (days < 7) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'narrow' }).format(days);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }).format(d);
}

/** "5 minutes ago" for tooltips and the bell. */
export function longRelative(value: string | null | undefined, locale: string, now: number) {
  if (!value) return '';
  const diff = (new Date(value).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86_400), 'day');
}

export function formatTime(value: string, locale: string) {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(new Date(value));
}

export function formatDateTime(value: string | null | undefined, locale: string) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

export function Icon({ d, className = 'size-5' }: { d: string; className?: string }) {
  return (
    <svg viewBox="0 0 24 24" className={cx('shrink-0', className)} fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
      <path strokeLinecap="round" strokeLinejoin="round" d={d} />
    </svg>
  );
}

export const ICONS = {
  inbox: 'M3 13h4.5l1.5 3h6l1.5-3H21M5.5 5h13l2.5 8v5a2 2 0 01-2 2H5a2 2 0 01-2-2v-5l2.5-8z',
  user: 'M16 7a4 4 0 11-8 0 4 4 0 018 0zM4 21a8 8 0 0116 0',
  userOff: 'M16 7a4 4 0 11-8 0 4 4 0 018 0zM4 21a8 8 0 0116 0M3 3l18 18',
  hand: 'M7 11V6.5a1.5 1.5 0 013 0V11m0-1V4.5a1.5 1.5 0 013 0V10m0 0V5.5a1.5 1.5 0 013 0V12m0-3.5a1.5 1.5 0 013 0V15a6 6 0 01-6 6h-1.5a6 6 0 01-4.8-2.4L4.4 14.6a1.5 1.5 0 012.3-1.9L7 13',
  dot: 'M12 12h.01',
  search: 'M21 21l-4.3-4.3M17 10.5a6.5 6.5 0 11-13 0 6.5 6.5 0 0113 0z',
  filter: 'M4 5h16l-6 7.5V19l-4 2v-8.5L4 5z',
  bolt: 'M13 2L4 14h7l-1 8 9-12h-7l1-8z',
  back: 'M15 19l-7-7 7-7',
  panel: 'M4 5h16v14H4zM15 5v14',
  check: 'M5 13l4 4L19 7',
  bot: 'M12 3v3m-6 3h12a2 2 0 012 2v6a2 2 0 01-2 2H6a2 2 0 01-2-2v-6a2 2 0 012-2zm3 4.5h.01M15 13.5h.01M9.5 16.5h5',
  lock: 'M7 11V8a5 5 0 0110 0v3M6 11h12v9H6z',
  send: 'M4 12l16-8-6 16-2.5-6.5L4 12z',
  paperclip: 'M18.375 12.739l-7.693 7.693a4.5 4.5 0 01-6.364-6.364l10.94-10.94A3 3 0 1119.5 7.372L8.552 18.32m.009-.01l-.01.01m5.699-9.941l-7.81 7.81a1.5 1.5 0 002.112 2.13',
  chat: 'M8 10h8M8 14h5M21 12a9 9 0 01-13.2 8L3 21l1-4.3A9 9 0 1121 12z',
  star: 'M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9L12 3z',
  x: 'M6 6l12 12M18 6L6 18',
  bell: 'M15 17h5l-1.4-1.4A2 2 0 0118 14.2V11a6 6 0 00-4-5.7V5a2 2 0 10-4 0v.3A6 6 0 006 11v3.2a2 2 0 01-.6 1.4L4 17h5m6 0v1a3 3 0 11-6 0v-1m6 0H9',
};
