import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Dialog, DropdownMenu, SelectField, TextAreaField, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api, ApiError, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { knowledgeApi, type KnowledgeBase, type KnowledgeDocument, type RefreshSchedule } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { PrivateUrlHint } from '../../-components/local-hints';
import { queryKeys } from '../../../../lib/query-keys';

type Kind = 'url' | 'website' | 'text' | 'qa';

export function AddContentMenu({ kb }: { kb: KnowledgeBase }) {
  const t = useT();
  const [kind, setKind] = useState<Kind | null>(null);
  const close = () => setKind(null);
  return (
    <>
      <DropdownMenu
        label={t('docs.add')}
        variant="primary"
        size="md"
        items={[
          { label: t('docs.addUrl'), onSelect: () => setKind('url') },
          { label: t('docs.addWebsite'), onSelect: () => setKind('website') },
          { label: t('docs.addText'), onSelect: () => setKind('text') },
          { label: t('docs.addQa'), onSelect: () => setKind('qa') },
        ]}
      >
        <span aria-hidden="true">+</span> {t('docs.add')}
        <svg viewBox="0 0 20 20" className="-mr-1 size-4" fill="currentColor" aria-hidden="true">
          <path fillRule="evenodd" d="M5.23 7.21a.75.75 0 011.06.02L10 11.17l3.71-3.94a.75.75 0 111.08 1.04l-4.25 4.5a.75.75 0 01-1.08 0l-4.25-4.5a.75.75 0 01.02-1.06z" clipRule="evenodd" />
        </svg>
      </DropdownMenu>
      <Dialog open={kind === 'url'} onClose={close} title={t('add.url')} description={t('add.urlDesc')}>
        <UrlForm kb={kb} onDone={close} />
      </Dialog>
      <Dialog open={kind === 'website'} onClose={close} title={t('add.website')} description={t('add.websiteDesc')}>
        <WebsiteForm kb={kb} onDone={close} />
      </Dialog>
      <Dialog open={kind === 'text'} onClose={close} title={t('add.text')} description={t('add.textDesc')} size="lg">
        <TextForm kb={kb} onDone={close} />
      </Dialog>
      <Dialog open={kind === 'qa'} onClose={close} title={t('add.qa')} description={t('add.qaDesc')} size="lg">
        <QaForm kb={kb} onDone={close} />
      </Dialog>
    </>
  );
}

/**
 * Hand-written: the document lists fields that have a server default (maxDepth, maxPages) as
 * required, since it describes the parsed body; the form leaves them out to get the defaults.
 */
type AddBody =
  | { type: 'text'; name: string; text: string }
  | { type: 'qa'; name: string; pairs: { question: string; answer: string }[] }
  | { type: 'url'; url: string; refreshSchedule?: RefreshSchedule }
  | { type: 'website'; url: string; maxDepth?: number; maxPages?: number; refreshSchedule?: RefreshSchedule };

function useAddDocument(kb: KnowledgeBase, onDone: () => void) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const org = useOrg();
  return useMutation({
    meta: OWN_ERROR,
    mutationFn: (body: AddBody) => api<KnowledgeDocument>(knowledgeApi.documents(kb.id), { method: 'POST', body, orgId: org.id }),
    onSuccess: async (doc) => {
      toast.success(t('add.added', { name: doc.name }));
      onDone();
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.documents.ofBase(org.id, kb.id) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id) }),
      ]);
    },
  });
}

/** Error block for messages not tied to one field (a refused private address comes as details on `url`). */
function FormError({ error }: { error: unknown }) {
  const errorMessage = useErrorMessage();
  if (!error || hasFieldErrors(error)) return null;
  const text = error instanceof ApiError && error.code === 'validation_failed' && error.message ? error.message : errorMessage(error);
  return <Alert tone="error">{text}</Alert>;
}

function Actions({ onCancel, pending, label }: { onCancel: () => void; pending: boolean; label: string }) {
  const t = useT();
  return (
    <div className="flex justify-end gap-2 pt-2">
      <Button variant="secondary" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" loading={pending}>
        {label}
      </Button>
    </div>
  );
}

function Form({ onSubmit, children }: { onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      className="space-y-4"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

function ScheduleSelect({ value, onChange }: { value: RefreshSchedule | ''; onChange: (v: RefreshSchedule | '') => void }) {
  const t = useT();
  return (
    <SelectField label={t('schedule.label')} value={value} onChange={(e) => onChange(e.target.value as RefreshSchedule | '')} hint={t('schedule.hint')}>
      <option value="">{t('schedule.none')}</option>
      <option value="daily">{t('schedule.daily')}</option>
      <option value="weekly">{t('schedule.weekly')}</option>
    </SelectField>
  );
}

function UrlForm({ kb, onDone }: { kb: KnowledgeBase; onDone: () => void }) {
  const t = useT();
  const [url, setUrl] = useState('');
  const [schedule, setSchedule] = useState<RefreshSchedule | ''>('');
  const add = useAddDocument(kb, onDone);
  return (
    <Form onSubmit={() => add.mutate({ type: 'url', url: url.trim(), refreshSchedule: schedule || undefined })}>
      <TextField
        label={t('add.urlLabel')}
        type="url"
        inputMode="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        placeholder="https://example.com/help/returns"
        required
        autoFocus
        error={fieldErrorOf(add.error, 'url')}
      />
      <PrivateUrlHint error={add.error} />
      <ScheduleSelect value={schedule} onChange={setSchedule} />
      <FormError error={add.error} />
      <Actions onCancel={onDone} pending={add.isPending} label={t('add.import')} />
    </Form>
  );
}

function WebsiteForm({ kb, onDone }: { kb: KnowledgeBase; onDone: () => void }) {
  const t = useT();
  const [url, setUrl] = useState('');
  const [maxDepth, setMaxDepth] = useState('2');
  const [maxPages, setMaxPages] = useState('50');
  const [schedule, setSchedule] = useState<RefreshSchedule | ''>('weekly');
  const add = useAddDocument(kb, onDone);
  return (
    <Form
      onSubmit={() =>
        add.mutate({
          type: 'website',
          url: url.trim(),
          maxDepth: maxDepth === '' ? undefined : Number(maxDepth),
          maxPages: Number(maxPages) || undefined,
          refreshSchedule: schedule || undefined,
        })
      }
    >
      <TextField
        label={t('add.websiteLabel')}
        type="url"
        inputMode="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        placeholder="https://example.com"
        required
        autoFocus
        error={fieldErrorOf(add.error, 'url')}
      />
      <PrivateUrlHint error={add.error} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label={t('add.depth')}
          type="number"
          min={0}
          max={5}
          value={maxDepth}
          onChange={(e) => setMaxDepth(e.target.value)}
          hint={t('add.depthHint')}
          error={fieldErrorOf(add.error, 'maxDepth')}
        />
        <TextField
          label={t('add.maxPages')}
          type="number"
          min={1}
          max={500}
          value={maxPages}
          onChange={(e) => setMaxPages(e.target.value)}
          hint={t('add.maxPagesHint')}
          error={fieldErrorOf(add.error, 'maxPages')}
        />
      </div>
      <ScheduleSelect value={schedule} onChange={setSchedule} />
      <FormError error={add.error} />
      <Actions onCancel={onDone} pending={add.isPending} label={t('add.crawl')} />
    </Form>
  );
}

function TextForm({ kb, onDone }: { kb: KnowledgeBase; onDone: () => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const add = useAddDocument(kb, onDone);
  return (
    <Form onSubmit={() => add.mutate({ type: 'text', name: name.trim(), text })}>
      <TextField label={t('add.textName')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} autoFocus error={fieldErrorOf(add.error, 'name')} />
      <TextAreaField label={t('add.textBody')} value={text} onChange={(e) => setText(e.target.value)} required rows={10} error={fieldErrorOf(add.error, 'text')} />
      <FormError error={add.error} />
      <Actions onCancel={onDone} pending={add.isPending} label={t('add.submit')} />
    </Form>
  );
}

let pairSeq = 0;
const newPair = () => ({ key: ++pairSeq, question: '', answer: '' });

function QaForm({ kb, onDone }: { kb: KnowledgeBase; onDone: () => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [pairs, setPairs] = useState(() => [newPair()]);
  const add = useAddDocument(kb, onDone);
  const update = (key: number, field: 'question' | 'answer', value: string) =>
    setPairs((ps) => ps.map((p) => (p.key === key ? { ...p, [field]: value } : p)));
  return (
    <Form onSubmit={() => add.mutate({ type: 'qa', name: name.trim(), pairs: pairs.map(({ question, answer }) => ({ question: question.trim(), answer: answer.trim() })) })}>
      <TextField label={t('add.qaName')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} autoFocus error={fieldErrorOf(add.error, 'name')} />
      <ol className="max-h-[50dvh] space-y-3 overflow-y-auto pr-1">
        {pairs.map((p, i) => (
          <li key={p.key} className="rounded-lg bg-zinc-50 p-3 ring-1 ring-zinc-200 dark:bg-zinc-800/40 dark:ring-zinc-800">
            <div className="grid gap-3">
              <TextField
                label={t('add.question', { n: i + 1 })}
                value={p.question}
                onChange={(e) => update(p.key, 'question', e.target.value)}
                required
                error={fieldErrorOf(add.error, `pairs.${i}.question`)}
              />
              <TextAreaField
                label={t('add.answer', { n: i + 1 })}
                value={p.answer}
                onChange={(e) => update(p.key, 'answer', e.target.value)}
                required
                rows={2}
                error={fieldErrorOf(add.error, `pairs.${i}.answer`)}
              />
            </div>
            {pairs.length > 1 && (
              <div className="mt-2 flex justify-end">
                <Button variant="ghost" size="sm" onClick={() => setPairs((ps) => ps.filter((x) => x.key !== p.key))} aria-label={t('add.removePair', { n: i + 1 })}>
                  {t('common.remove')}
                </Button>
              </div>
            )}
          </li>
        ))}
      </ol>
      <Button variant="secondary" size="sm" onClick={() => setPairs((ps) => [...ps, newPair()])}>
        + {t('add.addPair')}
      </Button>
      <FormError error={add.error} />
      <Actions onCancel={onDone} pending={add.isPending} label={t('add.submit')} />
    </Form>
  );
}
