import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Dialog, SelectField, TextAreaField, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { embeddingModelsQuery, knowledgeApi, type EmbeddingModel, type KnowledgeBase } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { queryKeys } from '../../../../lib/query-keys';

/** The embedding model select; unavailable models stay listed (disabled) with the reason. */
export function EmbeddingModelSelect({
  value,
  onChange,
  error,
  disabled,
}: {
  value: string;
  onChange: (id: string) => void;
  error?: string;
  disabled?: boolean;
}) {
  const t = useT();
  const org = useOrg();
  const models = useQuery(embeddingModelsQuery(org.id));
  // The built-in model's server label describes its internals; people need what it does for them.
  const embeddingLabel = (m: EmbeddingModel) => (m.id.startsWith('openai:') ? m.label : t('kb.embeddingBuiltin'));
  const list: EmbeddingModel[] = models.data?.data ?? [];
  const current = list.find((m) => m.id === value);
  const listed = current || !value ? list : [{ id: value, label: value, dimension: 0, available: true }, ...list];
  const unavailable = list.filter((m) => !m.available);
  return (
    <SelectField
      label={t('kb.embeddingModel')}
      value={value}
      disabled={disabled || models.isPending}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={
        <>
          {current ? t(current.id.startsWith('openai:') ? 'kb.embeddingHintOpenAI' : 'kb.embeddingHintBuiltin') : null}
          {unavailable.length > 0 && (
            <span className="block">
              {unavailable.map((m) => `${embeddingLabel(m)}: ${t('kb.unavailableWhy')}`).join(' · ')}
            </span>
          )}
        </>
      }
    >
      {models.isPending && <option value={value}>{t('common.loading')}</option>}
      {listed.map((m) => (
        <option key={m.id} value={m.id} disabled={!m.available}>
          {embeddingLabel(m)}
          {m.available ? '' : ` (${t('kb.unavailable')})`}
        </option>
      ))}
    </SelectField>
  );
}

export function CreateKnowledgeBaseDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  return (
    <Dialog open={open} onClose={onClose} title={t('kb.new')} description={t('kb.emptyDesc')}>
      <CreateForm onClose={onClose} />
    </Dialog>
  );
}

function CreateForm({ onClose }: { onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const org = useOrg();
  const models = useQuery(embeddingModelsQuery(org.id));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [embeddingModel, setEmbeddingModel] = useState('');
  // Start from the server's default once the list arrives.
  useEffect(() => {
    if (!embeddingModel && models.data) setEmbeddingModel(models.data.defaultModel);
  }, [models.data, embeddingModel]);

  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<KnowledgeBase>(knowledgeApi.bases, {
        method: 'POST',
        body: { name: name.trim(), description: description.trim() || undefined, embeddingModel: embeddingModel || undefined },
        orgId: org.id,
      }),
    onSuccess: async (kb) => {
      toast.success(t('kb.created', { name: kb.name }));
      queryClient.setQueryData(queryKeys.knowledgeBases.detail(org.id, kb.id), kb);
      await queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id), exact: true });
      onClose();
      await navigate({ to: '/knowledge/$kbId', params: { kbId: kb.id } });
    },
  });
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <TextField
        label={t('kb.name')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={200}
        placeholder={t('kb.namePlaceholder')}
        error={fieldErrorOf(create.error, 'name')}
        autoFocus
      />
      <TextAreaField
        label={`${t('kb.description')} (${t('common.optional')})`}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        rows={2}
        placeholder={t('kb.descriptionPlaceholder')}
        error={fieldErrorOf(create.error, 'description')}
      />
      <EmbeddingModelSelect value={embeddingModel} onChange={setEmbeddingModel} error={fieldErrorOf(create.error, 'embeddingModel')} />
      {create.error && !hasFieldErrors(create.error) && <Alert tone="error">{errorMessage(create.error)}</Alert>}
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" loading={create.isPending}>
          {t('kb.create')}
        </Button>
      </div>
    </form>
  );
}
