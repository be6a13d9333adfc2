import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, CopyButton, DataTable, Dialog, EmptyState, formatDate, formatNumber, SelectField, TextField } from '../../../components/ui';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import type { ApiResponse } from '../../../lib/api-contract';
import { api } from '../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { apiKeysQuery, type ApiKey, type Role } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';
import { queryKeys } from '../../../lib/query-keys';

export const Route = createFileRoute('/_app/settings/api-keys')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(apiKeysQuery(orgId));
  },
  component: ApiKeys,
});

const KEY_ROLES: Role[] = ['admin', 'agent', 'viewer'];
type Scope = ApiKey['scopes'][number];
const SCOPES: Scope[] = ['read', 'chat', 'admin'];

/** "" = no limit of the key's own; otherwise requests per minute. */
function limitFromInput(value: string): number | null {
  const n = Number(value);
  return value.trim() === '' || !Number.isFinite(n) || n < 1 ? null : Math.round(n);
}

/** What a key may do, as checkboxes: at least one stays ticked. */
function ScopeChoices({ value, onChange, idPrefix }: { value: Scope[]; onChange: (scopes: Scope[]) => void; idPrefix: string }) {
  const t = useT();
  return (
    <fieldset>
      <legend className="text-sm font-medium">{t('apiKeys.scopes')}</legend>
      <div className="mt-2 space-y-2">
        {SCOPES.map((scope) => {
          const checked = value.includes(scope);
          return (
            <div key={scope} className="flex items-start gap-2">
              <input
                id={`${idPrefix}-${scope}`}
                type="checkbox"
                className="mt-0.5 size-4 rounded accent-indigo-600"
                checked={checked}
                disabled={checked && value.length === 1}
                onChange={() => onChange(checked ? value.filter((s) => s !== scope) : SCOPES.filter((s) => s === scope || value.includes(s)))}
              />
              <label htmlFor={`${idPrefix}-${scope}`} className="text-sm">
                <span className="font-medium">{t(`apiKeys.scope.${scope}`)}</span>
                <span className="block text-xs text-zinc-500">{t(`apiKeys.scopeDesc.${scope}`)}</span>
              </label>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

/** Changing a key's scopes and requests per minute; the secret stays the same. */
function EditKeyDialog({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [scopes, setScopes] = useState<Scope[]>(apiKey?.scopes ?? SCOPES);
  const [limit, setLimit] = useState(apiKey?.rateLimitPerMinute ? String(apiKey.rateLimitPerMinute) : '');
  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<ApiResponse<'/api/v1/api-keys/{key_id}', 'patch'>>(`/api/v1/api-keys/${apiKey!.id}`, {
        method: 'PATCH',
        body: { scopes, rateLimitPerMinute: limitFromInput(limit) },
        orgId: org.id,
      }),
    onSuccess: async () => {
      toast.success(t('common.saved'));
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.list(org.id) });
      onClose();
    },
  });
  return (
    <Dialog open={!!apiKey} onClose={onClose} title={t('apiKeys.editTitle', { name: apiKey?.name ?? '' })}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <ScopeChoices value={scopes} onChange={setScopes} idPrefix="edit-scope" />
        <TextField label={t('apiKeys.rateLimit')} hint={t('apiKeys.rateLimitHint')} type="number" min={1} max={100000} value={limit} onChange={(e) => setLimit(e.target.value)} />
        {save.error && <Alert tone="error">{errorMessage(save.error)}</Alert>}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="ghost" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function ApiKeys() {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const { data: keys } = useSuspenseQuery(apiKeysQuery(org.id));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [scopes, setScopes] = useState<Scope[]>(SCOPES);
  const [limit, setLimit] = useState('');
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.list(org.id) });

  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ApiResponse<'/api/v1/api-keys', 'post'>>('/api/v1/api-keys', { method: 'POST', body: { name, role, scopes, rateLimitPerMinute: limitFromInput(limit) }, orgId: org.id }),
    onSuccess: async ({ apiKey, key }) => {
      setCreated({ name: apiKey.name, key });
      setName('');
      setLimit('');
      await invalidate();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/api-keys/${id}`, { method: 'DELETE', orgId: org.id }),
    onSuccess: () => {
      toast.success(t('apiKeys.revoked'));
      setRevoking(null);
    },
    onSettled: invalidate,
  });

  return (
    <div className="space-y-6">
      <Card title={t('apiKeys.create')} description={t('apiKeys.createDesc')}>
        <form
          className="flex flex-col gap-3 sm:flex-row sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <TextField className="flex-1" label={t('apiKeys.name')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder={t('apiKeys.namePlaceholder')} />
          <SelectField className="sm:w-40" label={t('team.role')} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {KEY_ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </SelectField>
          <TextField className="sm:w-44" label={t('apiKeys.rateLimit')} type="number" min={1} max={100000} value={limit} onChange={(e) => setLimit(e.target.value)} placeholder={t('apiKeys.noLimit')} />
          <Button type="submit" loading={create.isPending}>
            {t('apiKeys.createButton')}
          </Button>
        </form>
        <div className="mt-4">
          <ScopeChoices value={scopes} onChange={setScopes} idPrefix="new-scope" />
        </div>
        {create.error && (
          <div className="mt-3">
            <Alert tone="error">{errorMessage(create.error)}</Alert>
          </div>
        )}
        {created && (
          <div className="mt-4 rounded-lg bg-amber-50 p-4 ring-1 ring-amber-200 dark:bg-amber-950/30 dark:ring-amber-900" role="status">
            <p className="text-sm font-medium text-amber-900 dark:text-amber-200">{t('apiKeys.showOnce', { name: created.name })}</p>
            <div className="mt-3 flex flex-wrap items-center gap-2">
              <code aria-label={t('apiKeys.newKey')} className="min-w-0 flex-1 rounded-md bg-white px-3 py-2 font-mono text-xs break-all ring-1 ring-amber-200 select-all dark:bg-zinc-900 dark:ring-amber-900">
                {created.key}
              </code>
              <CopyButton value={created.key} />
              <Button variant="ghost" size="sm" onClick={() => setCreated(null)}>
                {t('common.done')}
              </Button>
            </div>
          </div>
        )}
      </Card>
      <Card title={t('settings.apiKeys')}>
        {keys.length === 0 ? (
          <EmptyState title={t('apiKeys.empty')} description={t('apiKeys.emptyDesc')} />
        ) : (
          <DataTable className="-mx-5 -my-5" columns={[{ label: t('apiKeys.name') }, { label: t('apiKeys.key') }, { label: t('apiKeys.scopes') }, { label: t('apiKeys.usage'), hiddenBelow: 'md' }, { label: t('apiKeys.created'), hiddenBelow: 'md' }, { label: t('apiKeys.lastUsed'), hiddenBelow: 'md' }, { label: t('common.actions'), srOnly: true }]}>
            {keys.map((k) => (
              <tr key={k.id}>
                <td className="px-5 py-3">
                  <span className="font-medium">{k.name}</span> <Badge>{t(`role.${k.role}`)}</Badge>
                </td>
                <td className="px-5 py-3 font-mono text-xs text-zinc-500">{k.prefix}…</td>
                <td className="px-5 py-3">
                  <span className="flex flex-wrap gap-1">
                    {k.scopes.map((scope) => (
                      <Badge key={scope} tone={scope === 'admin' ? 'amber' : 'indigo'}>
                        {t(`apiKeys.scope.${scope}`)}
                      </Badge>
                    ))}
                  </span>
                </td>
                <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">
                  {t('apiKeys.requests', { count: formatNumber(k.requestCount, locale) })}
                  <span className="block text-xs">{k.rateLimitPerMinute ? t('apiKeys.perMinute', { count: formatNumber(k.rateLimitPerMinute, locale) }) : t('apiKeys.noLimit')}</span>
                </td>
                <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">{formatDate(k.createdAt, locale)}</td>
                <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">{k.lastUsedAt ? formatDate(k.lastUsedAt, locale, true) : t('apiKeys.never')}</td>
                <td className="px-5 py-3 text-right whitespace-nowrap">
                  <Button variant="ghost" size="sm" onClick={() => setEditing(k)} aria-label={t('apiKeys.editNamed', { name: k.name })}>
                    {t('apiKeys.edit')}
                  </Button>
                  <Button variant="ghost" size="sm" onClick={() => setRevoking(k)} aria-label={t('apiKeys.revokeNamed', { name: k.name })}>
                    {t('team.revoke')}
                  </Button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      <EditKeyDialog key={editing?.id ?? 'none'} apiKey={editing} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        pending={revoke.isPending}
        title={t('apiKeys.revokeTitle')}
        description={t('apiKeys.revokeBody', { name: revoking?.name ?? '' })}
        confirmLabel={t('team.revoke')}
      />
    </div>
  );
}
