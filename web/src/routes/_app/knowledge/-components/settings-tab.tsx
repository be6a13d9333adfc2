import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Card, ConfirmDialog, Dialog, SelectField, TextAreaField, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { knowledgeApi, type ChunkingStrategy, type KnowledgeBase, type RetrievalMode } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { EmbeddingModelSelect } from './create-kb-dialog';
import { queryKeys } from '../../../../lib/query-keys';

const STRATEGIES: ChunkingStrategy[] = ['structure', 'fixed', 'qa'];
const MODES: RetrievalMode[] = ['hybrid', 'vector', 'fulltext'];

export function SettingsTab({ kb, canWrite }: { kb: KnowledgeBase; canWrite: boolean }) {
  return (
    <div className="space-y-6">
      <SettingsForm kb={kb} canWrite={canWrite} />
      {canWrite && <DeleteKnowledgeBase kb={kb} />}
    </div>
  );
}

function SettingsForm({ kb, canWrite }: { kb: KnowledgeBase; canWrite: boolean }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [name, setName] = useState(kb.name);
  const [description, setDescription] = useState(kb.description ?? '');
  const [embeddingModel, setEmbeddingModel] = useState(kb.embeddingModel);
  const [chunking, setChunking] = useState({ ...kb.chunking, chunkSize: String(kb.chunking.chunkSize), chunkOverlap: String(kb.chunking.chunkOverlap) });
  const [retrieval, setRetrieval] = useState({ ...kb.retrieval, topK: String(kb.retrieval.topK), scoreThreshold: String(kb.retrieval.scoreThreshold) });
  const [confirming, setConfirming] = useState(false);

  const nextChunking = { strategy: chunking.strategy, chunkSize: Number(chunking.chunkSize), chunkOverlap: Number(chunking.chunkOverlap) };
  const nextRetrieval = { mode: retrieval.mode, topK: Number(retrieval.topK), scoreThreshold: Number(retrieval.scoreThreshold) };
  const modelChanged = embeddingModel !== kb.embeddingModel;
  const chunkingChanged =
    nextChunking.strategy !== kb.chunking.strategy || nextChunking.chunkSize !== kb.chunking.chunkSize || nextChunking.chunkOverlap !== kb.chunking.chunkOverlap;
  const retrievalChanged =
    nextRetrieval.mode !== kb.retrieval.mode || nextRetrieval.topK !== kb.retrieval.topK || nextRetrieval.scoreThreshold !== kb.retrieval.scoreThreshold;
  // A model change alone re-embeds in the background (no re-chunking, search keeps working): no confirmation.
  const reindexes = chunkingChanged && kb.documentCount > 0;

  const save = useMutation({
    meta: OWN_ERROR,
    // Only what changed: the server re-indexes when the chunking differs and switches models in the background.
    mutationFn: () =>
      api<KnowledgeBase>(knowledgeApi.base(kb.id), {
        method: 'PUT',
        body: {
          ...(name.trim() !== kb.name && { name: name.trim() }),
          ...(description.trim() !== (kb.description ?? '') && { description: description.trim() || null }),
          ...(modelChanged && { embeddingModel }),
          ...(chunkingChanged && { chunking: nextChunking }),
          ...(retrievalChanged && { retrieval: nextRetrieval }),
        },
        orgId: org.id,
      }),
    onSuccess: async (updated) => {
      setConfirming(false);
      toast.success(t('common.saved'));
      queryClient.setQueryData(queryKeys.knowledgeBases.detail(org.id, kb.id), updated);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id) }),
        reindexes && queryClient.invalidateQueries({ queryKey: queryKeys.documents.ofBase(org.id, kb.id) }),
      ]);
    },
    onError: () => setConfirming(false),
  });
  const fe = (p: string) => fieldErrorOf(save.error, p);

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (reindexes) setConfirming(true);
        else save.mutate();
      }}
      className="space-y-6"
    >
      {!canWrite && <Alert>{t('settings.kbReadOnly')}</Alert>}
      <fieldset disabled={!canWrite} className="min-w-0 space-y-6">
        <Card title={t('settings.kbGeneral')} description={t('settings.kbGeneralDesc')}>
          <div className="grid gap-4">
            <TextField label={t('kb.name')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} error={fe('name')} />
            <TextAreaField label={t('kb.description')} value={description} onChange={(e) => setDescription(e.target.value)} rows={2} error={fe('description')} />
          </div>
        </Card>

        <Card title={t('settings.embedding')} description={t('settings.embeddingDesc')}>
          <div className="space-y-3">
            <EmbeddingModelSelect value={embeddingModel} onChange={setEmbeddingModel} error={fe('embeddingModel')} disabled={!canWrite} />
            {modelChanged && kb.documentCount > 0 && <Alert tone="warning">{t('settings.embeddingWarn', { count: kb.documentCount })}</Alert>}
            {kb.embeddingSwitch && (
              <Alert>
                {t('settings.embeddingSwitching', {
                  model: kb.embeddingSwitch.model,
                  done: kb.embeddingSwitch.done,
                  total: kb.embeddingSwitch.total,
                  current: kb.embeddingModel,
                })}
              </Alert>
            )}
          </div>
        </Card>

        <Card title={t('settings.chunking')} description={t('settings.chunkingDesc')}>
          <div className="grid gap-4 sm:grid-cols-3">
            <SelectField
              className="sm:col-span-3"
              label={t('settings.strategy')}
              value={chunking.strategy}
              onChange={(e) => setChunking((c) => ({ ...c, strategy: e.target.value as ChunkingStrategy }))}
              hint={t(`settings.strategyHint.${chunking.strategy}`)}
              error={fe('chunking.strategy')}
            >
              {STRATEGIES.map((s) => (
                <option key={s} value={s}>
                  {t(`settings.strategy.${s}`)}
                </option>
              ))}
            </SelectField>
            <TextField
              className="sm:col-span-3 md:col-span-1"
              label={t('settings.chunkSize')}
              type="number"
              min={50}
              max={2000}
              step={10}
              value={chunking.chunkSize}
              onChange={(e) => setChunking((c) => ({ ...c, chunkSize: e.target.value }))}
              hint={t('settings.chunkSizeHint')}
              error={fe('chunking.chunkSize')}
              required
            />
            <TextField
              className="sm:col-span-3 md:col-span-1"
              label={t('settings.chunkOverlap')}
              type="number"
              min={0}
              max={500}
              step={5}
              value={chunking.chunkOverlap}
              onChange={(e) => setChunking((c) => ({ ...c, chunkOverlap: e.target.value }))}
              hint={t('settings.chunkOverlapHint')}
              error={fe('chunking.chunkOverlap')}
              required
            />
            {chunkingChanged && kb.documentCount > 0 && (
              <div className="sm:col-span-3">
                <Alert tone="warning">{t('settings.chunkingWarn', { count: kb.documentCount })}</Alert>
              </div>
            )}
          </div>
        </Card>

        <Card title={t('settings.retrieval')} description={t('settings.retrievalDesc')}>
          <div className="grid gap-4 md:grid-cols-3">
            <SelectField label={t('search.mode')} value={retrieval.mode} onChange={(e) => setRetrieval((r) => ({ ...r, mode: e.target.value as RetrievalMode }))} error={fe('retrieval.mode')}>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`search.mode.${m}`)}
                </option>
              ))}
            </SelectField>
            <TextField
              label={t('settings.topK')}
              type="number"
              min={1}
              max={50}
              value={retrieval.topK}
              onChange={(e) => setRetrieval((r) => ({ ...r, topK: e.target.value }))}
              hint={t('settings.topKHint')}
              error={fe('retrieval.topK')}
              required
            />
            <TextField
              label={t('settings.threshold')}
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={retrieval.scoreThreshold}
              onChange={(e) => setRetrieval((r) => ({ ...r, scoreThreshold: e.target.value }))}
              hint={t('settings.thresholdHint')}
              error={fe('retrieval.scoreThreshold')}
              required
            />
          </div>
        </Card>
      </fieldset>

      {save.error && !hasFieldErrors(save.error) && <Alert tone="error">{errorMessage(save.error)}</Alert>}
      {canWrite && (
        <div className="flex justify-end">
          <Button type="submit" loading={save.isPending && !confirming}>
            {t('common.save')}
          </Button>
        </div>
      )}
      <Dialog open={confirming} onClose={() => setConfirming(false)} title={t('settings.confirmReindexTitle')}>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('settings.confirmReindexBody', { count: kb.documentCount })}</p>
        <div className="mt-6 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirming(false)} autoFocus>
            {t('common.cancel')}
          </Button>
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            {t('settings.saveReindex')}
          </Button>
        </div>
      </Dialog>
    </form>
  );
}

function DeleteKnowledgeBase({ kb }: { kb: KnowledgeBase }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const org = useOrg();
  const [open, setOpen] = useState(false);
  const del = useMutation({
    mutationFn: () => api(knowledgeApi.base(kb.id), { method: 'DELETE', orgId: org.id }),
    onSuccess: async () => {
      setOpen(false);
      toast.success(t('settings.kbDeleted', { name: kb.name }));
      await navigate({ to: '/knowledge' });
      queryClient.removeQueries({ queryKey: queryKeys.knowledgeBases.detail(org.id, kb.id) });
      queryClient.removeQueries({ queryKey: queryKeys.documents.ofBase(org.id, kb.id) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id), exact: true });
    },
  });
  return (
    <Card danger title={t('settings.dangerZone')} description={t('settings.kbDeleteDesc')}>
      <Button variant="danger" onClick={() => setOpen(true)}>
        {t('settings.kbDelete')}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => del.mutate()}
        pending={del.isPending}
        title={t('settings.kbDelete')}
        description={t('settings.kbDeleteBody', { name: kb.name, count: kb.documentCount })}
        confirmLabel={t('settings.kbDelete')}
        typedConfirmation={kb.name}
      />
    </Card>
  );
}
