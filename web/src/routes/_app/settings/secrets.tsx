import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Button, Card, ConfirmDialog, DataTable, EmptyState, formatDate, TextField } from '../../../components/ui';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { api, fieldErrorOf } from '../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { secretKeys, secretsQuery, type Secret } from '../../../lib/queries-flows';
import { useOrg } from '../../../lib/use-org';

export const Route = createFileRoute('/_app/settings/secrets')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(secretsQuery(orgId));
  },
  component: Secrets,
});

/** Settings → Secrets: what flows' API call nodes authenticate with, by name (admins only). */
function Secrets() {
  const t = useT();
  const org = useOrg();
  const { data: secrets } = useSuspenseQuery(secretsQuery(org.id));
  return (
    <div className="space-y-6">
      <Alert tone="info">{t('secrets.intro')}</Alert>
      <SecretForm />
      <Card title={t('settings.secrets')}>{secrets.length === 0 ? <EmptyState title={t('secrets.empty')} description={t('secrets.emptyDesc')} /> : <SecretTable secrets={secrets} />}</Card>
    </div>
  );
}

function SecretForm() {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Secret>('/api/v1/secrets', { method: 'POST', body: { name: name.trim(), value }, orgId: org.id }),
    onSuccess: async (saved) => {
      toast.success(t('secrets.saved', { name: saved.name }));
      setName('');
      setValue('');
      await queryClient.invalidateQueries({ queryKey: secretKeys.list(org.id) });
    },
  });
  const nameError = fieldErrorOf(save.error, 'name');
  const valueError = fieldErrorOf(save.error, 'value');
  return (
    <Card title={t('secrets.create')} description={t('secrets.createDesc')}>
      <form
        className="flex flex-col gap-3 sm:flex-row sm:items-start"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <TextField className="flex-1" label={t('secrets.name')} hint={t('secrets.nameHint')} error={nameError} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoComplete="off" spellCheck={false} />
        <TextField className="flex-1" label={t('secrets.value')} error={valueError} type="password" value={value} onChange={(e) => setValue(e.target.value)} required maxLength={10_000} autoComplete="new-password" />
        <Button type="submit" className="sm:mt-6" loading={save.isPending}>
          {t('secrets.save')}
        </Button>
      </form>
      {save.error && !nameError && !valueError && (
        <div className="mt-3">
          <Alert tone="error">{errorMessage(save.error)}</Alert>
        </div>
      )}
    </Card>
  );
}

function SecretTable({ secrets }: { secrets: Secret[] }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [deleting, setDeleting] = useState<Secret | null>(null);
  const remove = useMutation({
    mutationFn: (name: string) => api(`/api/v1/secrets/${encodeURIComponent(name)}`, { method: 'DELETE', orgId: org.id }),
    onSuccess: (_, name) => {
      toast.success(t('secrets.deleted', { name }));
      setDeleting(null);
    },
    onError: (error) => toast.error(errorMessage(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: secretKeys.list(org.id) }),
  });
  return (
    <>
      <DataTable className="-mx-5 -my-5" columns={[{ label: t('secrets.name') }, { label: t('secrets.updated'), hiddenBelow: 'md' }, { label: t('common.actions'), srOnly: true }]}>
        {secrets.map((secret) => (
          <tr key={secret.name}>
            <td className="px-5 py-3 font-mono text-sm">{secret.name}</td>
            <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">{formatDate(secret.updatedAt, locale, true)}</td>
            <td className="px-5 py-3 text-right">
              <Button variant="ghost" size="sm" onClick={() => setDeleting(secret)} aria-label={t('secrets.deleteNamed', { name: secret.name })}>
                {t('secrets.delete')}
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      <ConfirmDialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.name)}
        pending={remove.isPending}
        title={t('secrets.deleteTitle')}
        description={t('secrets.deleteBody', { name: deleting?.name ?? '' })}
        confirmLabel={t('secrets.delete')}
      />
    </>
  );
}
