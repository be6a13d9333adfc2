import { useSuspenseInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { Button, cx } from '../../../../components/ui';
import { answerSourcesSummary } from '../../../../lib/answer-sources';
import { useErrorMessage, useLocale, useT, type TFunction } from '../../../../lib/i18n';
import { en, type MessageKey } from '../../../../lib/messages';
import { flattenMessages, messagesQuery, type Conversation, type InboxMessage } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { hasOnlyPlaceholder, MessageAttachments } from './attachments';
import { Avatar, contactName, formatDateTime, formatTime, Icon, ICONS } from './shared';

/** Within this many pixels of the bottom, new messages keep the view pinned to the end. */
const STICKY_PX = 120;

export function Thread({ conversation }: { conversation: Conversation }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const query = useSuspenseInfiniteQuery(messagesQuery(org.id, conversation.id));
  const messages = flattenMessages(query.data);
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  /** The scroller's size at the last scroll event: a scroll caused by a layout change is not the reader's. */
  const size = useRef({ height: 0, content: 0 });
  const restore = useRef<number | null>(null);
  const [unseen, setUnseen] = useState(0);
  const lastId = messages.at(-1)?.id;
  const firstId = messages[0]?.id;
  const name = contactName(conversation, t);

  // Older page prepended: keep the same message under the reader's eyes.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || restore.current === null) return;
    el.scrollTop = el.scrollHeight - restore.current;
    restore.current = null;
  }, [firstId]);

  // New message at the end: follow it when at the bottom (or when it is ours), else offer a jump.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const last = messages.at(-1);
    if (pinned.current || last?.role === 'agent' || last?.role === 'note') {
      el.scrollTop = el.scrollHeight;
      setUnseen(0);
    } else setUnseen((n) => n + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastId]);

  // Resizes (window, panels, a source list opening) keep a pinned reader at the end.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (pinned.current && restore.current === null) el.scrollTop = el.scrollHeight;
      size.current = { height: el.clientHeight, content: el.scrollHeight };
    });
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);

  const loadOlder = () => {
    const el = scroller.current;
    if (!el || !query.hasNextPage || query.isFetchingNextPage) return;
    restore.current = el.scrollHeight - el.scrollTop;
    void query.fetchNextPage();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const resized = el.clientHeight !== size.current.height || el.scrollHeight !== size.current.content;
    size.current = { height: el.clientHeight, content: el.scrollHeight };
    if (!resized) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_PX;
    if (pinned.current) setUnseen(0);
    if (el.scrollTop < 60 && query.hasNextPage && !query.isFetchingNextPage && !query.isFetchNextPageError) loadOlder();
  };

  const jump = () => {
    const el = scroller.current;
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    setUnseen(0);
  };

  let lastDay = '';
  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={scroller}
        onScroll={onScroll}
        role="log"
        aria-label={t('thread.label', { name })}
        aria-live="polite"
        tabIndex={0}
        className="min-h-0 flex-1 overflow-y-auto bg-zinc-50/70 [overflow-anchor:none] px-3 py-4 outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-inset sm:px-6 dark:bg-zinc-900/30"
      >
        <div className="mx-auto flex max-w-3xl flex-col gap-1">
          {query.hasNextPage ? (
            <div className="mb-2 flex justify-center">
              <Button variant="ghost" size="sm" loading={query.isFetchingNextPage} onClick={loadOlder}>
                {query.isFetchingNextPage ? t('thread.loadingOlder') : t('thread.loadOlder')}
              </Button>
              {query.isFetchNextPageError && <span className="text-xs text-red-600">{errorMessage(query.error)}</span>}
            </div>
          ) : (
            messages.length > 0 && <p className="mb-2 text-center text-xs text-zinc-400">{t('thread.start')} · {formatDateTime(conversation.createdAt, locale)}</p>
          )}
          {messages.length === 0 && <p className="py-10 text-center text-sm text-zinc-500">{t('thread.empty')}</p>}
          {messages.map((m, i) => {
            const day = dayKey(m.createdAt);
            const separator = day !== lastDay ? <DaySeparator date={m.createdAt} /> : null;
            lastDay = day;
            const prev = messages[i - 1];
            const grouped = !!prev && !separator && prev.role === m.role && prev.author?.id === m.author?.id && new Date(m.createdAt).getTime() - new Date(prev.createdAt).getTime() < 5 * 60_000;
            return (
              <Fragment key={m.id}>
                {separator}
                <MessageItem message={m} conversation={conversation} grouped={grouped} />
              </Fragment>
            );
          })}
        </div>
      </div>
      {unseen > 0 && (
        <button
          type="button"
          onClick={jump}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-indigo-600 px-3 py-1.5 text-xs font-medium text-white shadow-lg hover:bg-indigo-500"
        >
          {t('thread.newMessages')} ↓
        </button>
      )}
    </div>
  );
}

function dayKey(value: string) {
  const d = new Date(value);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function DaySeparator({ date }: { date: string }) {
  const t = useT();
  const locale = useLocale();
  const d = new Date(date);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  const label =
    dayKey(date) === dayKey(today.toISOString())
      ? t('thread.today')
      : dayKey(date) === dayKey(yesterday.toISOString())
        ? t('thread.yesterday')
        : new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric' }).format(d);
  return (
    <div className="my-3 flex items-center gap-3 text-xs font-medium text-zinc-400" role="separator">
      <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      <span className="first-letter:uppercase">{label}</span>
      <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
    </div>
  );
}

/** Plain text with links made clickable (content is never rendered as HTML). */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"')\]]+)/g);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a key={i} href={part} target="_blank" rel="noopener noreferrer" className="underline decoration-1 underline-offset-2 hover:opacity-80">
            {part}
          </a>
        ) : (
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </>
  );
}

const LIST_ITEM = /^\s*(?:[-*•]|\d+[.)])\s+/;

/** Bold and links inside a line; everything else stays text. */
function Inline({ text }: { text: string }) {
  const parts = text.split(/(\*\*[^*\n]+\*\*|https?:\/\/[^\s<>"')\]]+)/g);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 0 ? (
          <Fragment key={i}>{part}</Fragment>
        ) : part.startsWith('**') ? (
          <strong key={i} className="font-semibold">
            {part.slice(2, -2)}
          </strong>
        ) : (
          <a key={i} href={part} target="_blank" rel="noopener noreferrer" className="underline decoration-1 underline-offset-2 hover:opacity-80">
            {part}
          </a>
        ),
      )}
    </>
  );
}

/**
 * The little Markdown bots and agents write (paragraphs, bullet and numbered lists, **bold**,
 * links), rendered as React elements: message text is never parsed as HTML.
 */
function RichText({ text }: { text: string }) {
  const blocks = text.trim().split(/\n\s*\n/);
  return (
    <>
      {blocks.map((block, i) => {
        const lines = block.split('\n');
        const spacing = i > 0 ? 'mt-2' : undefined;
        if (lines.length > 0 && lines.every((l) => LIST_ITEM.test(l))) {
          const ordered = /^\s*\d/.test(lines[0]);
          const List = ordered ? 'ol' : 'ul';
          return (
            <List key={i} className={cx(spacing, 'space-y-0.5 pl-5', ordered ? 'list-decimal' : 'list-disc')}>
              {lines.map((l, j) => (
                <li key={j}>
                  <Inline text={l.replace(LIST_ITEM, '')} />
                </li>
              ))}
            </List>
          );
        }
        return (
          <p key={i} className={spacing}>
            {lines.map((l, j) => (
              <Fragment key={j}>
                {j > 0 && <br />}
                <Inline text={l} />
              </Fragment>
            ))}
          </p>
        );
      })}
    </>
  );
}

function roleLabel(m: InboxMessage, conversation: Conversation, t: TFunction) {
  switch (m.role) {
    case 'user':
      return contactName(conversation, t);
    case 'assistant':
      return conversation.bot?.name ?? t('thread.bot');
    case 'agent':
      return m.author?.name ?? t('thread.agent');
    case 'note':
      return t('thread.noteBy', { name: m.author?.name ?? t('thread.agent') });
    default:
      return '';
  }
}

function MessageItem({ message: m, conversation, grouped }: { message: InboxMessage; conversation: Conversation; grouped: boolean }) {
  const t = useT();
  const locale = useLocale();
  if (m.role === 'system') {
    return (
      <div className="my-2 flex justify-center" data-role="system">
        <p className="max-w-md rounded-full bg-zinc-200/70 px-3 py-1 text-center text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
          <Linkified text={m.content} />
          <span className="ml-2 text-zinc-400">{formatTime(m.createdAt, locale)}</span>
        </p>
      </div>
    );
  }
  const outgoing = m.role !== 'user';
  const failed = m.deliveryStatus === 'failed' || !!m.error;
  const name = roleLabel(m, conversation, t);
  const bubble = cx(
    'rounded-2xl px-3.5 py-2 text-sm leading-relaxed break-words shadow-xs',
    m.role === 'user' && 'whitespace-pre-wrap',
    m.role === 'user' && 'rounded-tl-md bg-white text-zinc-900 ring-1 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-700',
    m.role === 'assistant' && 'rounded-tr-md bg-indigo-50 text-zinc-900 ring-1 ring-indigo-100 dark:bg-indigo-950/60 dark:text-indigo-50 dark:ring-indigo-900',
    m.role === 'agent' && 'rounded-tr-md bg-indigo-600 text-white dark:bg-indigo-500',
    m.role === 'note' && 'rounded-tr-md bg-amber-50 text-amber-950 ring-1 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-100 dark:ring-amber-800/70',
    failed && 'ring-2 ring-red-500',
  );
  return (
    <div
      className={cx('flex gap-2', outgoing ? 'flex-row-reverse' : 'flex-row', grouped ? 'mt-0.5' : 'mt-3')}
      data-role={m.role}
      data-message-id={m.id}
    >
      <div className="w-7 shrink-0">
        {!grouped &&
          (m.role === 'user' ? (
            <Avatar name={name} seed={conversation.contact.id} size="sm" className="mt-5 size-7!" />
          ) : m.role === 'assistant' ? (
            <span className="mt-5 flex size-7 items-center justify-center rounded-full bg-indigo-100 text-indigo-600 dark:bg-indigo-900 dark:text-indigo-300" aria-hidden="true">
              <Icon d={ICONS.bot} className="size-4" />
            </span>
          ) : m.role === 'note' ? (
            <span className="mt-5 flex size-7 items-center justify-center rounded-full bg-amber-100 text-amber-700 dark:bg-amber-900/60 dark:text-amber-300" aria-hidden="true">
              <Icon d={ICONS.lock} className="size-3.5" />
            </span>
          ) : (
            <Avatar name={name} seed={m.author?.id ?? 'agent'} size="sm" className="mt-5 size-7!" />
          ))}
      </div>
      <div className={cx('flex max-w-[78%] min-w-0 flex-col', outgoing ? 'items-end' : 'items-start')}>
        {!grouped && (
          <p className={cx('mb-1 flex items-center gap-1.5 px-1 text-xs', m.role === 'note' ? 'font-medium text-amber-700 dark:text-amber-400' : 'text-zinc-500 dark:text-zinc-400')}>
            {m.role === 'note' && <Icon d={ICONS.lock} className="size-3" />}
            <span className="font-medium">{name}</span>
            {m.role === 'assistant' && m.isFallback && (
              <span className="rounded bg-zinc-200 px-1 text-[10px] font-medium text-zinc-600 uppercase dark:bg-zinc-800 dark:text-zinc-400">{t('thread.fallback')}</span>
            )}
          </p>
        )}
        <div className={bubble}>
          <MessageAttachments conversationId={conversation.id} message={m} />
          {hasOnlyPlaceholder(m) ? null : m.role === 'user' ? <Linkified text={m.content} /> : <RichText text={m.content} />}
        </div>
        <Reactions message={m} />
        {m.role === 'assistant' && !!m.sources?.length && <Sources sources={m.sources} />}
        <MessageMeta message={m} failed={failed} />
      </div>
    </div>
  );
}

/** The customer's reactions on this message (stored on it by the channel webhook, never a message of their own). */
function Reactions({ message: m }: { message: InboxMessage }) {
  const t = useT();
  const reactions = m.metadata?.reactions ?? [];
  if (reactions.length === 0) return null;
  const list = reactions.map((r) => r.emoji).join(' ');
  return (
    <p className="-mt-2 px-2" data-testid="reactions">
      <span role="img" aria-label={t('thread.reactions', { list })} className="rounded-full bg-white px-1.5 py-0.5 text-sm shadow-xs ring-1 ring-zinc-200 dark:bg-zinc-800 dark:ring-zinc-700">
        {list}
      </span>
    </p>
  );
}

function MessageMeta({ message: m, failed }: { message: InboxMessage; failed: boolean }) {
  const t = useT();
  const locale = useLocale();
  const parts: ReactNode[] = [
    <time key="t" dateTime={m.createdAt} title={formatDateTime(m.createdAt, locale)}>
      {formatTime(m.createdAt, locale)}
    </time>,
  ];
  if (m.role === 'assistant' && m.feedback) {
    parts.push(
      <span key="f" role="img" aria-label={m.feedback > 0 ? t('thread.helpful') : t('thread.notHelpful')} title={m.feedback > 0 ? t('thread.helpful') : t('thread.notHelpful')} className={m.feedback > 0 ? 'text-emerald-600' : 'text-red-500'}>
        <svg viewBox="0 0 20 20" className={cx('inline size-3.5', m.feedback < 0 && 'rotate-180')} fill="currentColor" aria-hidden="true">
          <path d="M1 8.25a1.25 1.25 0 112.5 0v7.5a1.25 1.25 0 11-2.5 0v-7.5zM11 3V1.7c0-.27.14-.53.39-.64 1.2-.52 2.61.3 2.61 1.7V7h3.2c1.3 0 2.2 1.2 1.9 2.4l-1.6 6.3A2.4 2.4 0 0115.2 17.5H6V9l3.6-5.4A1.4 1.4 0 0011 3z" />
        </svg>
      </span>,
    );
  }
  if (m.role === 'assistant' && typeof m.latencyMs === 'number') parts.push(<span key="l">{(m.latencyMs / 1000).toLocaleString(locale, { maximumFractionDigits: 1 })} s</span>);
  if (m.deliveryStatus && m.role !== 'user') {
    const known = ['pending', 'sent', 'delivered', 'read', 'failed'].includes(m.deliveryStatus);
    parts.push(
      <span key="d" className={cx(failed && 'font-medium text-red-600 dark:text-red-400')}>
        {known ? t(`thread.delivery.${m.deliveryStatus}` as MessageKey) : m.deliveryStatus}
      </span>,
    );
  }
  return (
    <div className="mt-1 flex flex-col gap-0.5 px-1">
      <p className="flex items-center gap-1.5 text-[11px] text-zinc-400 dark:text-zinc-500">
        {parts.map((p, i) => (
          <Fragment key={i}>
            {i > 0 && <span aria-hidden="true">·</span>}
            {p}
          </Fragment>
        ))}
      </p>
      {failed && m.error && (
        <p role="alert" className="max-w-xs text-xs text-red-600 dark:text-red-400" title={m.error}>
          {t('thread.failed')}: {failureReason(m, t) ?? m.error}
        </p>
      )}
    </div>
  );
}

function Sources({ sources }: { sources: NonNullable<InboxMessage['sources']> }) {
  const t = useT();
  const { summary, markCited } = answerSourcesSummary(sources, t);
  return (
    <details className="group mt-1 max-w-full self-end text-xs">
      <summary className="cursor-pointer list-none rounded px-1 text-indigo-700 select-none hover:underline dark:text-indigo-300 [&::-webkit-details-marker]:hidden">
        <span aria-hidden="true" className="mr-1 inline-block transition-transform group-open:rotate-90">▸</span>
        {summary}
      </summary>
      <ul className="mt-1 space-y-1 rounded-lg bg-white p-2 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
        {sources.map((s, i) => (
          <li key={`${s.chunkId}-${i}`} className="flex items-baseline gap-2">
            <span className="text-zinc-400 tabular-nums">{i + 1}.</span>
            <span className="min-w-0 flex-1 truncate">
              {s.url ? (
                <a href={s.url} target="_blank" rel="noopener noreferrer" className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
                  {s.title}
                </a>
              ) : (
                <span className="font-medium text-zinc-700 dark:text-zinc-300">{s.title}</span>
              )}
              {s.page ? <span className="text-zinc-500"> · {t('thread.sourcePage', { page: s.page })}</span> : null}
            </span>
            {markCited && s.cited ? <span className="shrink-0 rounded bg-indigo-50 px-1 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">{t('thread.sourceCited')}</span> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A model failure in the agent's language (the server stores its class); the provider's own words stay in the tooltip. */
function failureReason(m: InboxMessage, t: TFunction): string | null {
  const failure = m.metadata?.modelFailure;
  const key = `modelFailure.${String(failure)}`;
  return typeof failure === 'string' && key in en ? `${t(key as MessageKey)} ${t('modelFailure.fallbackSent')}` : null;
}
