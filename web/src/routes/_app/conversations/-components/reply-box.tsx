import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useToast } from '../../../../components/toast';
import { Button, cx } from '../../../../components/ui';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { cannedResponsesQuery, useConversationActions, type CannedResponse, type Conversation } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { AttachFileButton, canSendFiles } from './attachments';
import { CannedResponsesDialog } from './canned-dialog';
import { contactName, Icon, ICONS } from './shared';
import { useWhatsAppWindow, WindowClosedNotice } from './whatsapp-templates';

type Mode = 'reply' | 'note';

/** Unsent text per conversation, so switching conversations does not lose a half-written reply. */
const drafts = new Map<string, { text: string; mode: Mode }>();

/** The `/query` being typed right before the caret, if any. */
function slashToken(text: string, caret: number) {
  const m = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(text.slice(0, caret));
  return m ? { query: m[2].toLowerCase(), start: caret - m[2].length - 1 } : null;
}

export function ReplyBox({ conversation }: { conversation: Conversation }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const { send } = useConversationActions(org.id, conversation.id);
  const saved = drafts.get(conversation.id);
  const [text, setText] = useState(saved?.text ?? '');
  const [mode, setMode] = useState<Mode>(saved?.mode ?? 'reply');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [managing, setManaging] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const hintId = useId();
  const note = mode === 'note';
  const name = contactName(conversation, t);
  const whatsapp = useWhatsAppWindow(org.id, conversation);
  // WhatsApp refuses free text 24 hours after the customer's last message: only a template goes out.
  const windowClosed = !note && whatsapp !== undefined && !whatsapp.window.open;

  useEffect(() => {
    if (text) drafts.set(conversation.id, { text, mode });
    else drafts.delete(conversation.id);
  }, [conversation.id, text, mode]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [text]);

  // The caret goes after an inserted canned response in the same commit that shows it. Placed a
  // frame later, it landed behind whatever the agent had typed meanwhile (a Shift+Enter then
  // ended up after the next words).
  const caretAfterInsert = useRef<number | null>(null);
  useLayoutEffect(() => {
    const pos = caretAfterInsert.current;
    if (pos === null || !ref.current) return;
    caretAfterInsert.current = null;
    ref.current.focus();
    ref.current.setSelectionRange(pos, pos);
  }, [text]);

  const token = slashToken(text, caret);
  const menuOpen = !!token && dismissedAt !== token.start;
  const canned = useQuery({ ...cannedResponsesQuery(org.id), enabled: menuOpen || managing });
  const matches = useMemo(() => {
    if (!token) return [];
    const all = canned.data ?? [];
    const q = token.query;
    const starts = all.filter((c) => c.shortcut.startsWith(q));
    const rest = all.filter((c) => !c.shortcut.startsWith(q) && (c.shortcut.includes(q) || c.content.toLowerCase().includes(q)));
    return [...starts, ...rest].slice(0, 8);
  }, [canned.data, token?.query]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => setActive(0), [token?.query]);

  const insert = (c: CannedResponse) => {
    if (!token) return;
    const before = text.slice(0, token.start);
    const after = text.slice(caret);
    const next = before + c.content + after;
    const pos = before.length + c.content.length;
    setText(next);
    setCaret(pos);
    caretAfterInsert.current = pos;
  };

  const submit = () => {
    const content = text.trim();
    if (!content || send.isPending) return;
    send.mutate(
      { content, private: note || undefined },
      {
        onSuccess: () => {
          setText('');
          setCaret(0);
          drafts.delete(conversation.id);
          ref.current?.focus();
        },
        onError: (e) => toast.error(t('reply.failed', { message: errorMessage(e) })),
      },
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (menuOpen) {
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissedAt(token!.start);
        return;
      }
      if (matches.length > 0) {
        if (e.key === 'ArrowDown') {
          e.preventDefault();
          setActive((i) => (i + 1) % matches.length);
          return;
        }
        if (e.key === 'ArrowUp') {
          e.preventDefault();
          setActive((i) => (i - 1 + matches.length) % matches.length);
          return;
        }
        if (e.key === 'Enter' || e.key === 'Tab') {
          e.preventDefault();
          insert(matches[Math.min(active, matches.length - 1)]);
          return;
        }
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  const hint =
    note ? t('reply.noteHint')
    : conversation.status === 'resolved' || conversation.status === 'closed' ? t('reply.reopens', { status: t(`inbox.status.${conversation.status}`).toLowerCase() })
    : conversation.handoff !== 'human' ? t('reply.takesOver')
    : null;

  return (
    <div className="border-t border-zinc-200 bg-white px-3 pt-2 pb-3 sm:px-5 dark:border-zinc-800 dark:bg-zinc-950">
      <div className="mx-auto max-w-3xl">
        <div role="group" aria-label={t('reply.tabs')} className="mb-2 flex items-center gap-1 text-sm">
          {(['reply', 'note'] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              onClick={() => {
                setMode(m);
                ref.current?.focus();
              }}
              className={cx(
                'inline-flex items-center gap-1.5 rounded-md px-2.5 py-1 font-medium',
                mode === m
                  ? m === 'note'
                    ? 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100'
                    : 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300'
                  : 'text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-200',
              )}
            >
              {m === 'note' && <Icon d={ICONS.lock} className="size-3.5" />}
              {m === 'reply' ? t('reply.reply') : t('reply.note')}
            </button>
          ))}
        </div>
        {windowClosed && <WindowClosedNotice orgId={org.id} conversation={conversation} data={whatsapp} />}
        <div
          className={cx(
            windowClosed && 'hidden',
            'relative rounded-xl ring-1 transition-colors focus-within:ring-2',
            note
              ? 'bg-amber-50 ring-amber-300 focus-within:ring-amber-500 dark:bg-amber-950/30 dark:ring-amber-800'
              : 'bg-white ring-zinc-300 focus-within:ring-indigo-600 dark:bg-zinc-900 dark:ring-zinc-700 dark:focus-within:ring-indigo-500',
          )}
        >
          {menuOpen && (
            <div className="absolute inset-x-0 bottom-full z-20 mb-2 overflow-hidden rounded-xl bg-white shadow-lg ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-700">
              <p className="border-b border-zinc-100 px-3 py-1.5 text-xs font-semibold text-zinc-500 dark:border-zinc-800">{t('reply.canned')}</p>
              {canned.isPending ? (
                <p className="px-3 py-3 text-sm text-zinc-500">{t('common.loading')}</p>
              ) : matches.length === 0 ? (
                <p className="px-3 py-3 text-sm text-zinc-500">
                  {(canned.data ?? []).length === 0 ? t('reply.cannedNone') : t('reply.cannedEmpty', { query: token!.query })}{' '}
                  <button type="button" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400" onMouseDown={(e) => e.preventDefault()} onClick={() => setManaging(true)}>
                    {t('reply.cannedCreate')}
                  </button>
                </p>
              ) : (
                <ul id={listId} role="listbox" aria-label={t('reply.canned')} className="max-h-60 overflow-y-auto py-1">
                  {matches.map((c, i) => (
                    <li
                      key={c.id}
                      id={`${listId}-${i}`}
                      role="option"
                      aria-selected={i === active}
                      onMouseDown={(e) => e.preventDefault()}
                      onMouseEnter={() => setActive(i)}
                      onClick={() => insert(c)}
                      className={cx('cursor-pointer px-3 py-2', i === active ? 'bg-indigo-50 dark:bg-indigo-950/60' : '')}
                    >
                      <span className="block text-sm font-semibold text-indigo-700 dark:text-indigo-300">/{c.shortcut}</span>
                      <span className="block truncate text-xs text-zinc-600 dark:text-zinc-400">{c.content}</span>
                    </li>
                  ))}
                </ul>
              )}
              <p className="flex items-center justify-between border-t border-zinc-100 px-3 py-1.5 text-[11px] text-zinc-400 dark:border-zinc-800">
                <span>{t('reply.cannedHint')}</span>
                <button type="button" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400" onMouseDown={(e) => e.preventDefault()} onClick={() => setManaging(true)}>
                  {t('inbox.cannedManage')}
                </button>
              </p>
            </div>
          )}
          <label htmlFor={`${listId}-input`} className="sr-only">
            {note ? t('reply.noteLabel') : t('reply.label', { name })}
          </label>
          <textarea
            id={`${listId}-input`}
            ref={ref}
            rows={2}
            value={text}
            maxLength={4000}
            aria-describedby={hintId}
            aria-controls={menuOpen && matches.length ? listId : undefined}
            aria-activedescendant={menuOpen && matches.length ? `${listId}-${active}` : undefined}
            aria-autocomplete="list"
            placeholder={note ? t('reply.notePlaceholder') : t('reply.placeholder')}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={() => setDismissedAt(token?.start ?? null)}
            onFocus={() => setDismissedAt(null)}
            className="block max-h-56 w-full resize-none border-0 bg-transparent px-3.5 pt-3 pb-1 text-sm text-zinc-900 placeholder:text-zinc-400 focus:ring-0 focus:outline-none dark:text-zinc-100"
          />
          <div className="flex items-center justify-between gap-3 px-3 pb-2">
            <p id={hintId} className="min-w-0 truncate text-xs text-zinc-500 dark:text-zinc-400">
              {hint ?? <span className="hidden sm:inline">{t('reply.hint')}</span>}
            </p>
            {!note && canSendFiles(conversation) && <AttachFileButton conversation={conversation} />}
            <Button size="sm" loading={send.isPending} disabled={!text.trim()} onClick={submit} className={cx('shrink-0 whitespace-nowrap', note && 'bg-amber-600! hover:bg-amber-500!')}>
              {note ? t('reply.addNote') : t('reply.send')}
              {!send.isPending && <Icon d={ICONS.send} className="size-3.5" />}
            </Button>
          </div>
        </div>
      </div>
      <CannedResponsesDialog open={managing} onClose={() => setManaging(false)} />
    </div>
  );
}
