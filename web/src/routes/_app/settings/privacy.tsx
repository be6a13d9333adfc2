import { queryOptions, useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Button, Card, Switch, TextField } from '../../../components/ui';
import { api, fieldErrorOf } from '../../../lib/api';
import type { Schemas } from '../../../lib/api-contract';
import { useErrorMessage, useT } from '../../../lib/i18n';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { hasRole } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';

type PrivacySettings = Schemas['PrivacySettings'];
type RetentionKey = keyof PrivacySettings['retention'];

const privacyQuery = (orgId: string) =>
  queryOptions({ queryKey: ['privacy-settings', orgId], queryFn: () => api<PrivacySettings>('/api/v1/privacy/settings', { orgId }) });

export const Route = createFileRoute('/_app/settings/privacy')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(privacyQuery(orgId)).catch(() => undefined);
  },
  component: PrivacyPage,
});

function PrivacyPage() {
  const t = useT();
  const org = useOrg();
  if (!hasRole(org.role, 'admin')) return <Alert>{t('privacy.adminOnly')}</Alert>;
  return <PrivacySettingsForm orgId={org.id} />;
}

const RETENTION_FIELDS: Array<{ key: RetentionKey; label: 'privacy.retention.conversations' | 'privacy.retention.messages' | 'privacy.retention.files'; hint: 'privacy.retention.conversationsHint' | 'privacy.retention.messagesHint' | 'privacy.retention.filesHint' }> = [
  { key: 'conversationsDays', label: 'privacy.retention.conversations', hint: 'privacy.retention.conversationsHint' },
  { key: 'messagesDays', label: 'privacy.retention.messages', hint: 'privacy.retention.messagesHint' },
  { key: 'filesDays', label: 'privacy.retention.files', hint: 'privacy.retention.filesHint' },
];

/** Empty means "keep"; the API wants null for it. */
const toDays = (value: string) => (value.trim() === '' ? null : Number(value));

function PrivacySettingsForm({ orgId }: { orgId: string }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const { data: settings } = useSuspenseQuery(privacyQuery(orgId));
  const [days, setDays] = useState<Record<RetentionKey, string>>({
    conversationsDays: settings.retention.conversationsDays?.toString() ?? '',
    messagesDays: settings.retention.messagesDays?.toString() ?? '',
    filesDays: settings.retention.filesDays?.toString() ?? '',
  });
  const update = useMutation({
    meta: OWN_ERROR,
    mutationFn: (patch: Partial<{ retention: Partial<PrivacySettings['retention']>; redaction: { enabled: boolean } }>) =>
      api<PrivacySettings>('/api/v1/privacy/settings', { method: 'PATCH', body: patch, orgId }),
    onSuccess: (next) => {
      queryClient.setQueryData(privacyQuery(orgId).queryKey, next);
      toast.success(t('common.saved'));
    },
  });
  const run = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<{ queued: boolean }>('/api/v1/privacy/retention/run', { method: 'POST', orgId }),
    onSuccess: (res) => (res.queued ? toast.success(t('privacy.retention.queued')) : toast.error(t('privacy.retention.nothingToRun'))),
  });
  return (
    <div className="space-y-6">
      <Card title={t('privacy.retention.title')} description={t('privacy.retention.desc')}>
        <form
          className="grid gap-4 sm:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ retention: { conversationsDays: toDays(days.conversationsDays), messagesDays: toDays(days.messagesDays), filesDays: toDays(days.filesDays) } });
          }}
        >
          {RETENTION_FIELDS.map((field) => (
            <TextField
              key={field.key}
              label={t(field.label)}
              hint={t(field.hint)}
              type="number"
              min={1}
              max={3650}
              inputMode="numeric"
              placeholder={t('privacy.retention.keep')}
              value={days[field.key]}
              onChange={(e) => setDays((d) => ({ ...d, [field.key]: e.target.value }))}
              error={fieldErrorOf(update.error, `retention.${field.key}`)}
            />
          ))}
          {update.error && (
            <div className="sm:col-span-3">
              <Alert tone="error">{errorMessage(update.error)}</Alert>
            </div>
          )}
          <div className="flex flex-wrap justify-end gap-2 sm:col-span-3">
            <Button type="button" variant="secondary" loading={run.isPending} onClick={() => run.mutate()}>
              {t('privacy.retention.runNow')}
            </Button>
            <Button type="submit" loading={update.isPending}>
              {t('common.save')}
            </Button>
          </div>
        </form>
      </Card>
      <Card title={t('privacy.redaction.title')} description={t('privacy.redaction.desc')}>
        <Switch
          label={t('privacy.redaction.toggle')}
          description={t('privacy.redaction.toggleDesc')}
          checked={settings.redaction.enabled}
          disabled={update.isPending}
          onChange={(enabled) => update.mutate({ redaction: { enabled } })}
        />
      </Card>
    </div>
  );
}
