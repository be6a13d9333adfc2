/**
 * A chatbot's "Flow" tab (lazy-loaded with the canvas library): the bot's flows with create
 * (blank or from a template), rename, delete and the entry-flow toggle; opening one shows the editor.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../../../../components/toast';
import { Badge, Button, ConfirmDialog, Dialog, DropdownMenu, EmptyState, ErrorState, formatDate, PageLoader, SelectField, TextField } from '../../../../../components/ui';
import { useErrorMessage, useLocale, useT } from '../../../../../lib/i18n';
import type { Bot } from '../../../../../lib/queries';
import { flowApi, flowKeys, flowsQuery, flowTemplatesQuery, type Flow } from '../../../../../lib/queries-flows';
import { useOrg } from '../../../../../lib/use-org';
import { FlowEditor } from './flow-editor';

export default function FlowTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const flows = useQuery(flowsQuery(org.id, bot.id));
  const [openId, setOpenId] = useState<string | null>(null);

  if (flows.isPending) return <PageLoader />;
  if (flows.isError) return <ErrorState message={errorMessage(flows.error)} onRetry={() => void flows.refetch()} />;
  const open = flows.data.find((f) => f.id === openId);
  if (open) return <FlowEditor key={open.id} botId={bot.id} flow={open} flows={flows.data} canWrite={canWrite} onBack={() => { setOpenId(null); void flows.refetch(); }} />;
  return <FlowList bot={bot} flows={flows.data} canWrite={canWrite} onOpen={setOpenId} title={t('flows.title')} />;
}

function FlowList({ bot, flows, canWrite, onOpen, title }: { bot: Bot; flows: Flow[]; canWrite: boolean; onOpen: (id: string) => void; title: string }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState<null | 'blank' | 'template'>(null);
  const [renaming, setRenaming] = useState<Flow | null>(null);
  const [deleting, setDeleting] = useState<Flow | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: flowKeys.all(org.id, bot.id) });

  const setEntry = useMutation({
    mutationFn: (f: Flow) => flowApi.update(bot.id, f.id, { isEntry: !f.isEntry }),
    onSuccess: () => void refresh(),
    onError: (e) => toast.error(errorMessage(e)),
  });
  const remove = useMutation({
    mutationFn: (f: Flow) => flowApi.remove(bot.id, f.id),
    onSuccess: (_, f) => {
      toast.success(t('flows.deleted', { name: f.name }));
      setDeleting(null);
      void refresh();
    },
    onError: (e) => toast.error(errorMessage(e)),
  });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 className="text-lg font-semibold">{title}</h2>
          <p className="max-w-2xl text-sm text-zinc-500 dark:text-zinc-400">{t('flows.subtitle')}</p>
        </div>
        {canWrite && (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setCreating('template')}>
              {t('flows.newFromTemplate')}
            </Button>
            <Button onClick={() => setCreating('blank')}>{t('flows.new')}</Button>
          </div>
        )}
      </div>
      {flows.length === 0 ? (
        <EmptyState title={t('flows.empty')} description={t('flows.emptyDesc')} />
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-xl border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {flows.map((f) => (
            <li key={f.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-center gap-2">
                  <button type="button" className="font-medium hover:underline" onClick={() => onOpen(f.id)}>
                    {f.name}
                  </button>
                  {f.isEntry && <Badge tone="indigo">{t('flows.entry')}</Badge>}
                  <Badge tone={f.publishedVersion ? 'green' : 'zinc'}>
                    {f.publishedVersion ? t('flows.published', { version: f.publishedVersion }) : t('flows.unpublished')}
                  </Badge>
                </div>
                <p className="text-xs text-zinc-500">
                  {f.description ? `${f.description} · ` : ''}
                  {t('flows.updated', { date: formatDate(f.updatedAt, locale) })}
                </p>
              </div>
              <Button size="sm" variant="secondary" onClick={() => onOpen(f.id)}>
                {t('flows.open')}
              </Button>
              {canWrite && (
                <DropdownMenu
                  label={t('flows.more', { name: f.name })}
                  items={[
                    { label: f.isEntry ? t('flows.unsetEntry') : t('flows.makeEntry'), onSelect: () => setEntry.mutate(f) },
                    { label: t('flows.rename'), onSelect: () => setRenaming(f) },
                    { label: t('flows.delete'), onSelect: () => setDeleting(f), danger: true },
                  ]}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-zinc-500">{t('flows.entryHint')}</p>
      <CreateFlowDialog
        botId={bot.id}
        mode={creating}
        onClose={() => setCreating(null)}
        onCreated={(f) => {
          setCreating(null);
          toast.success(t('flows.created', { name: f.name }));
          void refresh().then(() => onOpen(f.id));
        }}
      />
      {renaming && <RenameDialog botId={bot.id} flow={renaming} onClose={() => setRenaming(null)} onDone={() => { setRenaming(null); toast.success(t('flows.renamed')); void refresh(); }} />}
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        title={t('flows.deleteTitle')}
        description={t('flows.deleteBody', { name: deleting?.name ?? '' })}
        confirmLabel={t('flows.delete')}
        pending={remove.isPending}
      />
    </div>
  );
}

function CreateFlowDialog({ botId, mode, onClose, onCreated }: { botId: string; mode: null | 'blank' | 'template'; onClose: () => void; onCreated: (f: Flow) => void }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const templates = useQuery({ ...flowTemplatesQuery(org.id), enabled: mode === 'template' });
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const create = useMutation({
    mutationFn: () => {
      const chosen = templates.data?.find((x) => x.id === template);
      const finalName = name.trim() || (mode === 'template' && chosen ? chosen.name[locale] : t('flows.defaultName'));
      return flowApi.create(botId, { name: finalName, template: mode === 'template' && chosen ? chosen.id : undefined });
    },
    onSuccess: (f) => {
      setName('');
      setTemplate('');
      onCreated(f);
    },
  });
  const chosen = templates.data?.find((x) => x.id === template);
  return (
    <Dialog open={mode !== null} onClose={onClose} title={mode === 'template' ? t('flows.newFromTemplate') : t('flows.new')}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        {mode === 'template' && (
          <SelectField label={t('flows.templatePick')} value={template} required onChange={(e) => setTemplate(e.target.value)}>
            <option value="">—</option>
            {templates.data?.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>
                {tpl.name[locale]}
              </option>
            ))}
          </SelectField>
        )}
        {chosen && <p className="text-sm text-zinc-500">{chosen.description[locale]}</p>}
        <TextField label={t('flows.name')} value={name} maxLength={100} placeholder={chosen?.name[locale] ?? t('flows.defaultName')} onChange={(e) => setName(e.target.value)} autoFocus />
        {create.error && <p className="text-sm text-red-600">{errorMessage(create.error)}</p>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t('flows.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function RenameDialog({ botId, flow, onClose, onDone }: { botId: string; flow: Flow; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const [name, setName] = useState(flow.name);
  const [description, setDescription] = useState(flow.description ?? '');
  const rename = useMutation({ mutationFn: () => flowApi.update(botId, flow.id, { name: name.trim(), description }), onSuccess: onDone });
  return (
    <Dialog open onClose={onClose} title={t('flows.rename')}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) rename.mutate();
        }}
      >
        <TextField label={t('flows.name')} value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} autoFocus />
        <TextField label={t('flows.description')} value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
        {rename.error && <p className="text-sm text-red-600">{errorMessage(rename.error)}</p>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={rename.isPending}>
            {t('flows.rename')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
