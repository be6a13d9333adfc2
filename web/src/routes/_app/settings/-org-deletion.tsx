import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Button, Card, ConfirmDialog, TextField } from '../../../components/ui';
import { api, fieldErrorOf } from '../../../lib/api';
import type { Schemas } from '../../../lib/api-contract';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import type { Organization } from '../../../lib/queries';
import { downloadJson } from '../../../lib/download';

type Deletion = Schemas['OrganizationDeletion'];

const deletionKey = (orgId: string) => ['organization-deletion', { orgId }] as const;

/**
 * Deleting an organization (owners): scheduled with the typed name and the owner's password, purged
 * by the nightly job after the grace period. While it is pending the card shows the date, a
 * "cancel deletion" button and the final export.
 */
export function OrganizationDeletion({ org }: { org: Organization }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const status = useQuery({ queryKey: deletionKey(org.id), queryFn: () => api<Deletion>(`/api/v1/organizations/${org.id}/deletion`, { orgId: org.id }) });
  const formatDate = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
  const schedule = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Deletion>(`/api/v1/organizations/${org.id}/deletion`, { method: 'POST', orgId: org.id, body: { password } }),
    onSuccess: (data) => {
      setOpen(false);
      setPassword('');
      queryClient.setQueryData(deletionKey(org.id), data);
      if (data.purgeAfter) toast.success(t('orgDeletion.scheduledToast', { date: formatDate(data.purgeAfter) }));
    },
  });
  const cancel = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Deletion>(`/api/v1/organizations/${org.id}/deletion`, { method: 'DELETE', orgId: org.id }),
    onSuccess: (data) => {
      queryClient.setQueryData(deletionKey(org.id), data);
      toast.success(t('orgDeletion.cancelled'));
    },
  });
  const exportData = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<unknown>(`/api/v1/organizations/${org.id}/export`, { orgId: org.id }),
    onSuccess: (data) => {
      downloadJson(data, `versaai-organization-${org.id}.json`);
      toast.success(t('orgDeletion.exported'));
    },
  });
  const deletion = status.data;
  const scheduleError = schedule.error ? (fieldErrorOf(schedule.error, 'password') ?? errorMessage(schedule.error)) : null;
  const actionError = cancel.error ?? exportData.error;

  return (
    <Card danger title={t('orgDeletion.title')} description={t('orgDeletion.desc')}>
      <div className="space-y-4" data-testid="org-deletion">
        {deletion?.scheduled && deletion.purgeAfter ? (
          <Alert tone="warning">
            <strong className="block font-semibold">{t('orgDeletion.scheduled')}</strong>
            <span data-testid="org-deletion-date">{t('orgDeletion.scheduledDesc', { date: formatDate(deletion.purgeAfter) })}</span>
          </Alert>
        ) : null}
        {actionError ? <Alert tone="error">{errorMessage(actionError)}</Alert> : null}
        <div className="flex flex-wrap items-center gap-2">
          {deletion?.scheduled ? (
            <Button variant="secondary" loading={cancel.isPending} onClick={() => cancel.mutate()}>
              {t('orgDeletion.cancel')}
            </Button>
          ) : (
            <Button variant="danger" disabled={!deletion} onClick={() => setOpen(true)}>
              {t('orgDeletion.schedule')}
            </Button>
          )}
          <Button variant="secondary" loading={exportData.isPending} onClick={() => exportData.mutate()}>
            {t('orgDeletion.export')}
          </Button>
        </div>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">{t('orgDeletion.exportHint')}</p>
      </div>
      <ConfirmDialog
        open={open}
        onClose={() => {
          setOpen(false);
          schedule.reset();
        }}
        onConfirm={() => schedule.mutate()}
        pending={schedule.isPending}
        title={t('orgDeletion.confirmTitle', { name: org.name })}
        description={t('orgDeletion.confirmDesc')}
        confirmLabel={t('orgDeletion.schedule')}
        typedConfirmation={org.name}
      >
        <TextField
          label={t('orgDeletion.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={scheduleError ?? undefined}
        />
      </ConfirmDialog>
    </Card>
  );
}
