import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, CopyButton, DataTable, EmptyState, formatDate, SelectField, TextField } from '../../../components/ui';
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
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.list(org.id) });

  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ApiResponse<'/api/v1/api-keys', 'post'>>('/api/v1/api-keys', { method: 'POST', body: { name, role }, orgId: org.id }),
    onSuccess: async ({ apiKey, key }) => {
      setCreated({ name: apiKey.name, key });
      setName('');
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
          <Button type="submit" loading={create.isPending}>
            {t('apiKeys.createButton')}
          </Button>
        </form>
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
          <DataTable className="-mx-5 -my-5" columns={[{ label: t('apiKeys.name') }, { label: t('apiKeys.key') }, { label: t('apiKeys.created'), hiddenBelow: 'md' }, { label: t('apiKeys.lastUsed'), hiddenBelow: 'md' }, { label: t('common.actions'), srOnly: true }]}>
            {keys.map((k) => (
              <tr key={k.id}>
                <td className="px-5 py-3">
                  <span className="font-medium">{k.name}</span> <Badge>{t(`role.${k.role}`)}</Badge>
                </td>
                <td className="px-5 py-3 font-mono text-xs text-zinc-500">{k.prefix}…</td>
                <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">{formatDate(k.createdAt, locale)}</td>
                <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">{k.lastUsedAt ? formatDate(k.lastUsedAt, locale, true) : t('apiKeys.never')}</td>
                <td className="px-5 py-3 text-right">
                  <Button variant="ghost" size="sm" onClick={() => setRevoking(k)} aria-label={t('apiKeys.revokeNamed', { name: k.name })}>
                    {t('team.revoke')}
                  </Button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
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
