import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Alert, Badge, Button, cx, formatNumber } from '../../../../components/ui';
import { Markdown } from '../../../../components/markdown';
import { streamEvents } from '../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { en, type MessageKey } from '../../../../lib/messages';
import { chatbotApi, type Bot } from '../../../../lib/queries';
import type { MessageSource } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { readableOn } from './widget-mock';
import { useModelLabel } from './shared';

export type Source = MessageSource;

interface AnswerMeta {
  /** Null for fixed replies (fallback, out of hours, automatic reply). */
  model: string | null;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  sources?: Source[];
  meta?: AnswerMeta;
  streaming?: boolean;
  error?: string;
}

let keySeq = 1;

export function PlaygroundTab({ bot }: { bot: Bot }) {
  const t = useT();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const modelLabel = useModelLabel();
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const color = bot.widget?.primaryColor && /^#[0-9a-f]{6}$/i.test(bot.widget.primaryColor) ? bot.widget.primaryColor : '#4f46e5';

  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const patchLast = (patch: (m: ChatMessage) => ChatMessage) =>
    setMessages((ms) => {
      const i = ms.findLastIndex((m) => m.role === 'assistant');
      if (i < 0) return ms;
      const copy = [...ms];
      copy[i] = patch(copy[i]);
      return copy;
    });

  const send = async (text: string) => {
    const message = text.trim();
    if (!message || busy) return;
    setInput('');
    setBusy(true);
    const controller = new AbortController();
    abortRef.current = controller;
    setMessages((ms) => [
      ...ms,
      { key: `u${keySeq++}`, role: 'user', content: message },
      { key: `a${keySeq++}`, role: 'assistant', content: '', streaming: true },
    ]);
    try {
      const events = streamEvents(chatbotApi.test(bot.id), {
        body: { message, ...(conversationId && { conversationId }) },
        orgId: org.id,
        signal: controller.signal,
      });
      for await (const { event, data } of events) {
        const d = data as Record<string, unknown>;
        if (event === 'token') patchLast((m) => ({ ...m, content: m.content + String(d.text ?? '') }));
        else if (event === 'sources') patchLast((m) => ({ ...m, sources: (d.sources as Source[]) ?? [] }));
        else if (event === 'done') {
          // `message` is null when the bot stays silent (a person took over the conversation).
          const msg = d.message as ({ content: string; sources?: Source[] } & AnswerMeta) | null;
          if (typeof d.conversationId === 'string') setConversationId(d.conversationId);
          patchLast((m) => ({
            ...m,
            content: msg?.content ?? m.content,
            sources: msg?.sources ?? m.sources,
            meta: msg
              ? {
                  model: msg.model,
                  latencyMs: msg.latencyMs,
                  timeToFirstTokenMs: msg.timeToFirstTokenMs,
                  inputTokens: msg.inputTokens,
                  outputTokens: msg.outputTokens,
                }
              : undefined,
            streaming: false,
          }));
        } else if (event === 'error') {
          // The server classifies provider failures (bad key, quota, down…) so the reason reads in the user's language.
          const reason = typeof d.reason === 'string' && `modelFailure.${d.reason}` in en ? t(`modelFailure.${d.reason}` as MessageKey) : null;
          patchLast((m) => ({ ...m, streaming: false, error: reason ? `${reason} ${t('modelFailure.fallbackSent')}` : d.code === 'model_unavailable' ? t('modelFailure.unknown') : t('errors.unknown') }));
        }
      }
      patchLast((m) => (m.streaming ? { ...m, streaming: false } : m));
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      patchLast((m) => ({ ...m, streaming: false, error: errorMessage(e) }));
    } finally {
      if (abortRef.current === controller) {
        abortRef.current = null;
        setBusy(false);
        inputRef.current?.focus();
      }
    }
  };

  const reset = () => {
    abortRef.current?.abort();
    abortRef.current = null;
    setBusy(false);
    setMessages([]);
    setConversationId(null);
    inputRef.current?.focus();
  };

  const suggestions = [t('bots.play.suggest1'), t('bots.play.suggest2')];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <p className="mr-auto text-sm text-zinc-600 dark:text-zinc-400">
          {t('bots.play.intro')} <Badge tone="indigo">{bot.type === 'auto' ? t('bots.type.auto') : modelLabel(bot.model)}</Badge>
        </p>
        <Button variant="secondary" size="sm" onClick={reset} disabled={messages.length === 0 && !busy}>
          {t('bots.play.new')}
        </Button>
      </div>
      {bot.status !== 'active' && <Alert>{t('bots.play.draftNote')}</Alert>}
      {bot.type === 'ai' && (bot.knowledgeBaseIds ?? []).length === 0 && <Alert tone="warning">{t('bots.play.noKnowledge')}</Alert>}
      <section
        aria-label={t('bots.play.chat')}
        className="flex h-[min(36rem,calc(100dvh-18rem))] min-h-80 flex-col overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800"
      >
        <div ref={logRef} role="log" aria-live="polite" aria-relevant="additions text" aria-busy={busy} className="flex-1 space-y-4 overflow-y-auto p-4 sm:p-6">
          {bot.welcomeMessage && (
            <Bubble role="assistant" color={color}>
              {bot.welcomeMessage}
            </Bubble>
          )}
          {messages.length === 0 && (
            <div className="py-8 text-center">
              <p className="text-sm font-medium">{t('bots.play.emptyTitle')}</p>
              <p className="mt-1 text-sm text-zinc-500">{t('bots.play.emptyDesc')}</p>
              <div className="mt-4 flex flex-wrap justify-center gap-2">
                {suggestions.map((s) => (
                  <Button key={s} variant="secondary" size="sm" onClick={() => void send(s)}>
                    {s}
                  </Button>
                ))}
              </div>
            </div>
          )}
          {messages.map((m) =>
            m.role === 'user' ? (
              <Bubble key={m.key} role="user" color={color}>
                {m.content}
              </Bubble>
            ) : (
              <AssistantMessage key={m.key} message={m} color={color} />
            ),
          )}
        </div>
        <form
          className="flex items-end gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800"
          onSubmit={(e) => {
            e.preventDefault();
            void send(input);
          }}
        >
          <label htmlFor={inputId} className="sr-only">
            {t('bots.play.message')}
          </label>
          <textarea
            id={inputId}
            ref={inputRef}
            rows={1}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void send(input);
              }
            }}
            placeholder={t('bots.play.placeholder')}
            maxLength={2000}
            className="max-h-40 min-h-10 flex-1 resize-none rounded-lg border-0 bg-zinc-50 px-3 py-2 text-sm ring-1 ring-zinc-300 ring-inset field-sizing-content focus:ring-2 focus:ring-indigo-600 focus:outline-none dark:bg-zinc-800 dark:ring-zinc-700"
          />
          <Button type="submit" disabled={!input.trim() || busy} loading={busy}>
            {t('bots.play.send')}
          </Button>
        </form>
      </section>
      <p className="text-xs text-zinc-500">{conversationId ? t('bots.play.stored', { id: conversationId.slice(0, 8) }) : t('bots.play.hint')}</p>
    </div>
  );
}

function Bubble({ role, color, children }: { role: 'user' | 'assistant'; color: string; children: ReactNode }) {
  const t = useT();
  return (
    <div className={cx('flex', role === 'user' ? 'justify-end' : 'justify-start')}>
      <div
        className={cx(
          'max-w-[85%] rounded-2xl px-4 py-2.5 text-sm whitespace-pre-wrap break-words',
          role === 'user' ? 'rounded-br-sm' : 'rounded-bl-sm bg-zinc-100 dark:bg-zinc-800',
        )}
        style={role === 'user' ? { backgroundColor: color, color: readableOn(color) } : undefined}
      >
        <span className="sr-only">{role === 'user' ? t('bots.play.you') : t('bots.play.bot')}: </span>
        {children}
      </div>
    </div>
  );
}

function AssistantMessage({ message: m, color }: { message: ChatMessage; color: string }) {
  const t = useT();
  const locale = useLocale();
  const modelLabel = useModelLabel();
  const waiting = m.streaming && !m.content;
  return (
    <div className="flex flex-col items-start gap-1.5" data-testid="assistant-message">
      {waiting ? (
        <div className="rounded-2xl rounded-bl-sm bg-zinc-100 px-4 py-3 dark:bg-zinc-800" role="status">
          <span className="sr-only">{t('bots.play.typing')}</span>
          <span className="flex gap-1" aria-hidden="true">
            {[0, 150, 300].map((d) => (
              <span key={d} className="size-2 animate-bounce rounded-full bg-zinc-400" style={{ animationDelay: `${d}ms` }} />
            ))}
          </span>
        </div>
      ) : (
        m.content && (
          <Bubble role="assistant" color={color}>
            <Markdown text={m.content} className="whitespace-normal" />
            {m.streaming && <span className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-zinc-400 align-text-bottom" aria-hidden="true" />}
          </Bubble>
        )
      )}
      {m.error && (
        <p role="alert" className="max-w-[85%] rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300">
          {m.error}
        </p>
      )}
      {m.sources && m.sources.length > 0 && (
        <div className="max-w-[85%] text-xs">
          <p className="mb-1 font-medium text-zinc-500">{t('bots.play.sources')}</p>
          <ol className="flex flex-wrap gap-1.5">
            {m.sources.map((s, i) => {
              const label = (
                <>
                  <span className="font-semibold text-zinc-400">{i + 1}</span> {s.title}
                  {s.page ? ` · ${t('bots.play.page', { page: s.page })}` : ''}
                  <span className="text-zinc-400"> · {Math.round(s.score * 100) / 100}</span>
                </>
              );
              return (
                <li key={`${s.chunkId}-${i}`}>
                  {s.url ? (
                    <a
                      href={s.url}
                      target="_blank"
                      rel="noopener noreferrer"
                      className="inline-flex max-w-72 items-center gap-1 truncate rounded-full bg-indigo-50 px-2.5 py-1 text-indigo-700 hover:underline dark:bg-indigo-950 dark:text-indigo-300"
                    >
                      {label}
                    </a>
                  ) : (
                    <span className="inline-flex max-w-72 items-center gap-1 truncate rounded-full bg-zinc-100 px-2.5 py-1 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
                      {label}
                    </span>
                  )}
                </li>
              );
            })}
          </ol>
        </div>
      )}
      {m.meta && (
        <p className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-zinc-500" aria-label={t('bots.play.metrics')}>
          <span>{m.meta.model ? modelLabel(m.meta.model) : t('bots.play.fixedReply')}</span>
          <span>{t('bots.play.latency', { ms: formatNumber(m.meta.latencyMs, locale) })}</span>
          {/* Fixed and extractive replies have no first token to wait for: a "0 ms" would mean nothing. */}
          {m.meta.timeToFirstTokenMs != null && m.meta.model != null && !m.meta.model.startsWith('builtin:') && <span>{t('bots.play.ttft', { ms: formatNumber(m.meta.timeToFirstTokenMs, locale) })}</span>}
          {(m.meta.inputTokens != null || m.meta.outputTokens != null) && (
            <span>
              {t('bots.play.tokens', { input: formatNumber(m.meta.inputTokens ?? 0, locale), output: formatNumber(m.meta.outputTokens ?? 0, locale) })}
            </span>
          )}
        </p>
      )}
    </div>
  );
}
