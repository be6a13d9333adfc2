/**
 * The editor's test chat: runs the current draft with the production runtime (POST …/test),
 * shows replies and buttons, and every step's input, output and variables. Each turn keeps the
 * session it started from, so "replay from here" resends that turn against the latest draft.
 */
import { useState } from 'react';
import { Alert, Button, cx } from '../../../../../components/ui';
import { useErrorMessage, useT } from '../../../../../lib/i18n';
import { flowApi, type FlowReply, type FlowStep, type TestSession } from '../../../../../lib/queries-flows';
import type { FlowDocument } from '../../../../../../../functions/core/flows/schema';

interface Turn {
  /** The session the turn was sent with (undefined: a fresh start). */
  before: TestSession | undefined;
  text?: string;
  quickReply?: { id: string; label: string };
  replies: FlowReply[];
  steps: FlowStep[];
  after: TestSession;
}

export function TestPanel({ botId, flowId, doc, onStep }: { botId: string; flowId: string; doc: FlowDocument; onStep: (nodeId: string | null) => void }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [openStep, setOpenStep] = useState<string | null>(null);

  async function send(history: Turn[], message: { text?: string; quickReply?: { id: string; label: string } }) {
    const before = history.at(-1)?.after;
    setBusy(true);
    setError(undefined);
    try {
      const result = await flowApi.test(botId, flowId, { session: before, text: message.text, quickReply: message.quickReply?.id, document: doc });
      const next = [...history, { before, ...message, replies: result.replies, steps: result.steps, after: result.session }];
      setTurns(next);
      onStep(result.steps.at(-1)?.nodeId ?? null);
    } catch (e) {
      setTurns(history);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const lastReplies = turns.at(-1)?.replies ?? [];
  const buttons = lastReplies.flatMap((r) => r.quickReplies ?? []);

  return (
    <section aria-label={t('flows.testTitle')} className="flex h-full flex-col">
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
        <h3 className="text-sm font-semibold">{t('flows.testTitle')}</h3>
        <Button size="sm" variant="secondary" disabled={busy} onClick={() => void send([], {})}>
          {turns.length ? t('flows.testRestart') : t('flows.testStart')}
        </Button>
      </div>
      <p className="px-3 pt-2 text-xs text-zinc-500">{t('flows.testHint')}</p>
      <ol className="flex-1 space-y-3 overflow-y-auto p-3" aria-live="polite">
        {turns.map((turn, i) => (
          <li key={i} className="space-y-1.5">
            {(turn.text || turn.quickReply) && (
              <div className="flex justify-end">
                <span className="rounded-lg bg-indigo-600 px-2.5 py-1.5 text-sm text-white" aria-label={t('flows.testYou')}>
                  {turn.quickReply?.label ?? turn.text}
                </span>
              </div>
            )}
            {turn.replies.map((r, j) => (
              <div key={j} data-testid="test-reply" className="max-w-[90%] rounded-lg bg-zinc-100 px-2.5 py-1.5 text-sm whitespace-pre-wrap dark:bg-zinc-800">
                {r.text}
                {r.media && (
                  <a className="mt-1 block text-xs text-indigo-600 underline" href={r.media.url} target="_blank" rel="noreferrer">
                    {r.media.name ?? r.media.url}
                  </a>
                )}
              </div>
            ))}
            <details className="text-xs">
              <summary className="cursor-pointer text-zinc-500">
                {t('flows.testSteps')} ({turn.steps.length})
              </summary>
              <ol className="mt-1 space-y-1">
                {turn.steps.map((s, k) => {
                  const id = `${i}:${k}`;
                  return (
                    <li key={k} className={cx('rounded border px-2 py-1', s.error ? 'border-red-300' : 'border-zinc-200 dark:border-zinc-700')}>
                      <button type="button" className="flex w-full justify-between gap-2 text-left" onClick={() => { setOpenStep(openStep === id ? null : id); onStep(s.nodeId); }}>
                        <span className="font-mono">{s.nodeId}</span>
                        <span className="text-zinc-500">{s.output ? t('flows.testOutput', { output: s.output }) : s.type}</span>
                      </button>
                      {s.error && <p className="text-red-600">{s.error}</p>}
                      {openStep === id && (
                        <dl className="mt-1 space-y-1">
                          {s.input !== undefined && <Json label={t('flows.testInput')} value={s.input} />}
                          {s.result !== undefined && <Json label={t('flows.testResult')} value={s.result} />}
                          <Json label={t('flows.testVariables')} value={s.variables} />
                        </dl>
                      )}
                    </li>
                  );
                })}
              </ol>
              <Button size="sm" variant="ghost" className="mt-1" disabled={busy} onClick={() => void send(turns.slice(0, i), { text: turn.text, quickReply: turn.quickReply })}>
                ↻ {t('flows.testReplay')}
              </Button>
            </details>
          </li>
        ))}
      </ol>
      {error && (
        <div className="px-3 pb-2">
          <Alert tone="error">{error}</Alert>
        </div>
      )}
      {buttons.length > 0 && (
        <div className="flex flex-wrap gap-1.5 px-3 pb-2">
          {buttons.map((b) => (
            <Button key={b.id} size="sm" variant="secondary" disabled={busy} onClick={() => void send(turns, { quickReply: b })}>
              {b.label}
            </Button>
          ))}
        </div>
      )}
      <form
        className="flex gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          void send(turns, { text: text.trim() });
          setText('');
        }}
      >
        <input
          aria-label={t('flows.testPlaceholder')}
          placeholder={t('flows.testPlaceholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="min-w-0 flex-1 rounded-lg px-2.5 py-1.5 text-sm ring-1 ring-zinc-300 ring-inset dark:bg-zinc-900 dark:ring-zinc-700"
        />
        <Button type="submit" size="sm" loading={busy}>
          {t('flows.testSend')}
        </Button>
      </form>
    </section>
  );
}

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <div>
      <dt className="font-medium text-zinc-500">{label}</dt>
      <dd>
        <pre className="max-h-40 overflow-auto rounded bg-zinc-50 p-1.5 text-[11px] dark:bg-zinc-950">{JSON.stringify(value, null, 2)}</pre>
      </dd>
    </div>
  );
}
