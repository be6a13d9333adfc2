import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Badge, Button, Card, SelectField, TextField } from '../../../components/ui';
import { api, fieldErrorOf } from '../../../lib/api';
import type { Schemas } from '../../../lib/api-contract';
import { useErrorMessage, useT } from '../../../lib/i18n';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { KEYED_PROVIDERS, type KeyedProvider, type ProviderKey } from '../../../lib/queries';
import { queryKeys } from '../../../lib/query-keys';
import { useOrg } from '../../../lib/use-org';

type Setting = Schemas['TranscriptionSetting'];
type ModelList = Schemas['ProviderModelList'];

const settingPath = (orgId: string) => `/api/v1/organizations/${orgId}/settings/transcription`;
// Speech-to-text models first: a provider's list is mostly chat models.
const TRANSCRIBING_MODEL = /whisper|transcribe|speech|audio/i;
const byTranscribingFirst = (ids: string[]) => [...ids.filter((id) => TRANSCRIBING_MODEL.test(id)), ...ids.filter((id) => !TRANSCRIBING_MODEL.test(id))];

/** The model names the provider offers with the saved key, as suggestions for the model field. */
function useModelSuggestions(orgId: string, provider: KeyedProvider | '') {
  const list = useQuery({
    queryKey: queryKeys.providerKeys.models(orgId, provider),
    queryFn: () => api<ModelList>(`/api/v1/provider-keys/${provider}/models`, { orgId }),
    enabled: provider !== '',
    staleTime: 5 * 60_000,
  });
  return { ids: byTranscribingFirst((list.data?.data ?? []).map((m) => m.id)), fromProvider: list.data?.source === 'provider' };
}

/**
 * "Transcribe voice notes": the provider (one whose key is saved above) and model that turn
 * customers' audio into text. Off by default; turning it off leaves the audio in the inbox.
 */
export function TranscriptionSettings({ keys }: { keys: ProviderKey[] }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const datalistId = useId();
  const setting = useQuery({ queryKey: queryKeys.transcription(org.id), queryFn: () => api<Setting>(settingPath(org.id), { orgId: org.id }) });
  const keyed = KEYED_PROVIDERS.filter((p) => keys.some((k) => k.provider === p));
  const current = setting.data?.transcription ?? null;
  const [provider, setProvider] = useState<KeyedProvider | ''>('');
  const [model, setModel] = useState('');
  const chosenProvider = provider || current?.provider || keyed[0] || '';
  const chosenModel = model || current?.model || '';
  const suggestions = useModelSuggestions(org.id, chosenProvider);

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: (transcription: { provider: KeyedProvider; model: string } | null) =>
      api<Setting>(settingPath(org.id), { method: 'PUT', orgId: org.id, body: { transcription } }),
    onSuccess: (data) => {
      queryClient.setQueryData(queryKeys.transcription(org.id), data);
      setProvider('');
      setModel('');
      toast.success(data.transcription ? t('transcription.saved', { model: data.transcription.model }) : t('transcription.turnedOff'));
    },
  });
  const errors = { provider: fieldErrorOf(save.error, 'transcription.provider'), model: fieldErrorOf(save.error, 'transcription.model') };

  return (
    <Card
      title={t('transcription.title')}
      description={t('transcription.desc')}
      actions={current ? <Badge tone={setting.data?.ready ? 'green' : 'amber'}>{t('transcription.on', { model: current.model })}</Badge> : <Badge>{t('transcription.off')}</Badge>}
    >
      {current && !setting.data?.ready && (
        <div className="mb-4">
          <Alert tone="warning">{t('transcription.notReady')}</Alert>
        </div>
      )}
      {keyed.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('transcription.needsKey')}</p>
      ) : (
        <form
          className="grid gap-4 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosenProvider) save.mutate({ provider: chosenProvider, model: chosenModel.trim() });
          }}
        >
          <SelectField label={t('transcription.provider')} value={chosenProvider} onChange={(e) => setProvider(e.target.value as KeyedProvider)} error={errors.provider}>
            {keyed.map((p) => (
              <option key={p} value={p}>
                {t(`providers.name.${p}`)}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t('transcription.model')}
            value={chosenModel}
            onChange={(e) => setModel(e.target.value)}
            list={datalistId}
            required
            maxLength={100}
            spellCheck={false}
            placeholder="whisper-1"
            hint={suggestions.fromProvider ? `${t('transcription.modelHint')} ${t('transcription.modelsFromProvider')}` : t('transcription.modelHint')}
            error={errors.model}
          />
          <datalist id={datalistId}>
            {suggestions.ids.map((id) => (
              <option key={id} value={id} />
            ))}
          </datalist>
          {save.error && !(errors.provider || errors.model) && (
            <div className="sm:col-span-2">
              <Alert tone="error">{errorMessage(save.error)}</Alert>
            </div>
          )}
          <div className="flex items-center justify-between gap-3 sm:col-span-2">
            <p className="text-xs text-zinc-500 dark:text-zinc-400">{current ? '' : t('transcription.offNote')}</p>
            <div className="flex gap-2">
              {current && (
                <Button type="button" variant="secondary" onClick={() => save.mutate(null)} disabled={save.isPending}>
                  {t('transcription.turnOff')}
                </Button>
              )}
              <Button type="submit" loading={save.isPending}>
                {t('transcription.save')}
              </Button>
            </div>
          </div>
        </form>
      )}
    </Card>
  );
}
