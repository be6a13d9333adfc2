import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, formatDate, TextField } from '../../../components/ui';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { api, ApiError, fieldErrorOf } from '../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { chatModelsQuery, KEYED_PROVIDERS, providerKeysQuery, providerPresetsQuery, type KeyedProvider, type ProviderKey, type ProviderPreset } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';
import { queryKeys } from '../../../lib/query-keys';
import { TranscriptionSettings } from './-transcription';

export const Route = createFileRoute('/_app/settings/providers')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(providerKeysQuery(orgId));
  },
  component: ProviderKeys,
});

const KEY_PLACEHOLDER: Partial<Record<KeyedProvider, string>> = { openai: 'sk-…', groq: 'gsk_…', compatible: 'ollama', ollama: 'ollama', lmstudio: 'lm-studio' };
const URL_PLACEHOLDER: Partial<Record<KeyedProvider, string>> = {
  openai: 'https://api.openai.com/v1',
  groq: 'https://api.groq.com/openai/v1',
  compatible: 'http://localhost:11434/v1',
};

function ProviderKeys() {
  const t = useT();
  const org = useOrg();
  const { data: keys } = useSuspenseQuery(providerKeysQuery(org.id));
  return (
    <div className="space-y-6">
      <Alert tone="info">
        <p>{t('providers.intro')}</p>
        <p className="mt-1">{t('providers.security')}</p>
      </Alert>
      {KEYED_PROVIDERS.map((p) => (
        <ProviderCard key={p} provider={p} row={keys.find((k) => k.provider === p)} />
      ))}
      <ProviderPresets keys={keys} />
      <TranscriptionSettings keys={keys} />
    </div>
  );
}

/**
 * OpenAI-compatible services that need only a key. Local ones (Ollama, LM Studio) are listed only
 * where the deployment allows private addresses; a hosted deployment never offers them.
 */
function ProviderPresets({ keys }: { keys: ProviderKey[] }) {
  const t = useT();
  const org = useOrg();
  const presets = useQuery(providerPresetsQuery(org.id));
  const offered = (presets.data ?? []).filter((p) => p.available);
  if (offered.length === 0) return null;
  const hiddenLocal = (presets.data ?? []).some((p) => p.local && !p.available);
  return (
    <section aria-labelledby="provider-presets" className="space-y-4">
      <div>
        <h2 id="provider-presets" className="text-lg font-semibold">
          {t('providers.presets.title')}
        </h2>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">{t('providers.presets.desc')}</p>
        {hiddenLocal && <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{t('providers.presets.localHidden')}</p>}
      </div>
      {offered.map((p) => (
        <ProviderCard key={p.id} provider={p.id} preset={p} row={keys.find((k) => k.provider === p.id)} />
      ))}
    </section>
  );
}

/** Why the provider refused the key (the server's detail code), for a message in the user's language. */
const REFUSALS = ['invalid_key', 'wrong_url', 'unreachable', 'address_refused'] as const;
type Refusal = (typeof REFUSALS)[number];
function refusalOf(error: unknown): { path: string; code: Refusal } | null {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return null;
  const detail = (error.details as Array<{ path?: unknown; code?: unknown }>).find((d) => REFUSALS.includes(d.code as Refusal));
  return detail ? { path: String(detail.path), code: detail.code as Refusal } : null;
}

const splitModels = (text: string) =>
  text
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);

function ProviderCard({ provider, row, preset }: { provider: KeyedProvider; row: ProviderKey | undefined; preset?: ProviderPreset }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const headingId = useId();
  const models = useQuery(chatModelsQuery(org.id));
  const compatible = provider === 'compatible';
  const name = preset ? preset.label : t(`providers.name.${provider}`);

  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(row?.baseUrl ?? '');
  const [modelNames, setModelNames] = useState(row?.models.join(', ') ?? '');
  const [removing, setRemoving] = useState(false);

  // Model pickers on the chatbot pages read the models list, and transcription needs its provider's
  // key: a key change changes what is available.
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.providerKeys.list(org.id) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.chatModels.list(org.id) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.transcription(org.id) }),
    ]);

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => {
      const url = baseUrl.trim();
      return api<ProviderKey & { check: { status: 'verified' | 'unverified'; reason?: 'rate_limited' | 'provider_error' } }>(`/api/v1/provider-keys/${provider}`, {
        method: 'PUT',
        body: {
          apiKey: apiKey.trim(),
          ...(url ? { baseUrl: url } : {}),
          ...(compatible ? { models: splitModels(modelNames) } : {}),
        },
        orgId: org.id,
      });
    },
    onSuccess: async (saved) => {
      setApiKey('');
      setBaseUrl(saved.baseUrl ?? '');
      setModelNames(saved.models.join(', '));
      if (saved.check.status === 'verified') toast.success(t('providers.savedVerified', { provider: name }));
      else toast.info(t(saved.check.reason === 'rate_limited' ? 'providers.savedRateLimited' : 'providers.savedUnverified', { provider: name }));
      await invalidate();
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/provider-keys/${provider}`, { method: 'DELETE', orgId: org.id }),
    onSuccess: () => {
      setRemoving(false);
      setApiKey('');
      setBaseUrl('');
      setModelNames('');
      save.reset();
      toast.success(t('providers.removed', { provider: name }));
    },
    onSettled: invalidate,
  });

  const refusal = refusalOf(save.error);
  const fe = (p: string) => (refusal?.path === p ? t(`providers.check.${refusal.code}`) : fieldErrorOf(save.error, p));
  const errors = { apiKey: fe('apiKey'), baseUrl: fe('baseUrl'), models: fe('models') ?? fe('models.0') };
  const available = (models.data?.data ?? []).filter((m) => m.provider === provider && m.available);

  return (
    <div role="group" aria-labelledby={headingId}>
      <Card
        title={<span id={headingId}>{name}</span>}
        description={
          preset ? (
            <>
              {t(preset.local ? 'providers.presets.localDesc' : 'providers.presets.cloudDesc')}
              {preset.keyUrl && (
                <>
                  {' '}
                  <a href={preset.keyUrl} target="_blank" rel="noreferrer" className="text-indigo-600 hover:underline dark:text-indigo-400">
                    {t('providers.presets.getKey')}
                  </a>
                </>
              )}
            </>
          ) : (
            t(`providers.desc.${provider}`)
          )
        }
        actions={
          row ? (
            <Badge tone="green">{t('providers.configured', { hint: row.keyHint })}</Badge>
          ) : (
            <Badge>{t('providers.notConfigured')}</Badge>
          )
        }
      >
        {row && (
          <div className="mb-4 flex flex-wrap items-start justify-between gap-3 text-sm text-zinc-600 dark:text-zinc-400">
            <div className="min-w-0 space-y-1">
              {row.baseUrl && (
                <p>
                  <span className="font-medium text-zinc-700 dark:text-zinc-300">{t('providers.baseUrl')}:</span>{' '}
                  <span className="font-mono text-xs break-all">{row.baseUrl}</span>
                </p>
              )}
              {row.models.length > 0 && <p>{t('providers.usingModels', { models: row.models.join(', ') })}</p>}
              <p className="text-xs text-zinc-500">{t('providers.updated', { date: formatDate(row.updatedAt, locale, true) })}</p>
            </div>
            <Button variant="secondary" size="sm" onClick={() => setRemoving(true)} aria-label={t('providers.removeNamed', { provider: name })}>
              {t('providers.remove')}
            </Button>
          </div>
        )}
        {available.length > 0 && (
          <p className="mb-4 text-xs text-zinc-500 dark:text-zinc-400">{t('providers.available', { models: available.map((m) => m.label).join(', ') })}</p>
        )}
        <form
          className="grid gap-4 sm:grid-cols-2"
          autoComplete="off"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <TextField
            label={row ? t('providers.apiKeyNew') : t('providers.apiKey')}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
            required
            maxLength={500}
            placeholder={KEY_PLACEHOLDER[provider]}
            hint={compatible ? t('providers.apiKeyHintCompatible') : row ? t('providers.apiKeyHint') : undefined}
            error={errors.apiKey}
          />
          <TextField
            label={compatible ? t('providers.baseUrl') : `${t('providers.baseUrl')} (${t('common.optional')})`}
            type="url"
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            required={compatible}
            maxLength={500}
            placeholder={preset?.baseUrl ?? URL_PLACEHOLDER[provider]}
            hint={compatible ? t('providers.baseUrlHintCompatible') : preset ? t('providers.presets.baseUrlHint') : t('providers.baseUrlHint')}
            error={errors.baseUrl}
          />
          {compatible && (
            <TextField
              className="sm:col-span-2"
              label={t('providers.models')}
              value={modelNames}
              onChange={(e) => setModelNames(e.target.value)}
              required
              placeholder="llama3.1:8b, qwen2.5"
              hint={t('providers.modelsHint')}
              error={errors.models}
            />
          )}
          {save.error && !(errors.apiKey || errors.baseUrl || errors.models) && (
            <div className="sm:col-span-2">
              <Alert tone="error">{errorMessage(save.error)}</Alert>
            </div>
          )}
          <div className="flex justify-end sm:col-span-2">
            <Button type="submit" loading={save.isPending}>
              {row ? t('providers.replaceKey') : t('providers.saveKey')}
            </Button>
          </div>
        </form>
      </Card>
      <ConfirmDialog
        open={removing}
        onClose={() => setRemoving(false)}
        onConfirm={() => remove.mutate()}
        pending={remove.isPending}
        title={t('providers.removeTitle', { provider: name })}
        description={t('providers.removeBody')}
        confirmLabel={t('providers.remove')}
      />
    </div>
  );
}
