import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { LOCALE_NAMES } from '../../../components/chrome';
import { TimeZoneField } from '../../../components/create-org-form';
import { useToast } from '../../../components/toast';
import { Alert, Button, Card, SelectField, TextField } from '../../../components/ui';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { api, fieldErrorOf, hasFieldErrors } from '../../../lib/api';
import { useErrorMessage, useT } from '../../../lib/i18n';
import { hasRole, organizationQuery, type Organization } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';
import { queryKeys } from '../../../lib/query-keys';
import { OrganizationDeletion } from './-org-deletion';

export const Route = createFileRoute('/_app/settings/')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(organizationQuery(orgId));
  },
  component: OrganizationSettings,
});

function OrganizationSettings() {
  const current = useOrg();
  const { data: org } = useSuspenseQuery(organizationQuery(current.id));
  // Remount the form when switching organizations so its fields start from the new values.
  return (
    <div className="space-y-6">
      <OrgForm key={org.id} org={org} canEdit={hasRole(current.role, 'admin')} />
      {current.role === 'owner' && <OrganizationDeletion org={org} />}
    </div>
  );
}

function OrgForm({ org, canEdit }: { org: Organization; canEdit: boolean }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    name: org.name,
    description: org.description ?? '',
    website: org.website ?? '',
    timezone: org.timezone,
    language: org.language,
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<Organization>(`/api/v1/organizations/${org.id}`, {
        method: 'PUT',
        body: { ...form, description: form.description || null, website: form.website || null },
        orgId: org.id,
      }),
    onSuccess: async () => {
      toast.success(t('common.saved'));
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.organizations.detail(org.id) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.organizations.list() }),
      ]);
    },
  });
  const fe = (p: string) => fieldErrorOf(save.error, p);
  return (
    <Card title={t('settings.organization')} description={canEdit ? t('settings.orgDesc') : t('settings.readOnly')}>
      <form
        className="grid gap-4 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <fieldset disabled={!canEdit} className="contents">
          <TextField label={t('org.name')} value={form.name} onChange={set('name')} required maxLength={100} error={fe('name')} />
          <TextField label={t('org.website')} type="url" value={form.website} onChange={set('website')} placeholder="https://" error={fe('website')} />
          <TextField className="sm:col-span-2" label={t('org.description')} value={form.description} onChange={set('description')} error={fe('description')} />
          <TimeZoneField label={t('org.timezone')} value={form.timezone} onChange={(zone) => setForm((f) => ({ ...f, timezone: zone }))} error={fe('timezone')} />
          <SelectField label={t('org.language')} value={form.language} onChange={set('language')} error={fe('language')}>
            <option value="es">{LOCALE_NAMES.es}</option>
            <option value="en">{LOCALE_NAMES.en}</option>
          </SelectField>
        </fieldset>
        {save.error && !hasFieldErrors(save.error) && (
          <div className="sm:col-span-2">
            <Alert tone="error">{errorMessage(save.error)}</Alert>
          </div>
        )}
        {canEdit && (
          <div className="flex justify-end sm:col-span-2">
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
