import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { useToast } from '../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, EmptyState, formatDate, formatNumber, PageHeader } from '../../components/ui';
import { OWN_ERROR } from '../../lib/mutation-errors';
import { api } from '../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../lib/i18n';
import { hasRole } from '../../lib/queries';
import { channelsApi, connectIntegration, integrationHealthQuery, integrationsQuery, type Integration, type IntegrationStatus } from '../../lib/queries-channels';
import { useOrg } from '../../lib/use-org';
import { RouteError } from '../-components/route-error';
import { ChannelDialog, connectErrorMessage, PlatformMark, WebhookSetup } from './-components/channel-dialog';
import { PublicUrlNotice } from './-components/local-hints';
import { queryKeys } from '../../lib/query-keys';

export const Route = createFileRoute('/_app/channels')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(integrationsQuery(orgId));
  },
  errorComponent: RouteError,
  component: ChannelsPage,
});

const STATUS_TONE: Record<IntegrationStatus, 'green' | 'zinc' | 'red'> = { connected: 'green', disconnected: 'zinc', error: 'red' };

function ChannelsPage() {
  const t = useT();
  const org = useOrg();
  const canWrite = hasRole(org.role, 'admin');
  const { data: integrations } = useSuspenseQuery(integrationsQuery(org.id));
  // A new key per opening gives the dialog fresh state every time.
  const [dialog, setDialog] = useState<{ key: number; editing: Integration | null } | null>(null);
  const open = (editing: Integration | null) => setDialog({ key: Date.now(), editing });
  const addButton = canWrite && (
    <Button onClick={() => open(null)}>
      <span aria-hidden="true">+</span> {t('channels.add')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('channels.title')} description={t('channels.subtitle')} actions={integrations.length > 0 && addButton} />
      {!canWrite && (
        <div className="mb-6">
          <Alert>{t('channels.readOnly', { role: t(`role.${org.role}`) })}</Alert>
        </div>
      )}
      <PublicUrlNotice className="mb-6" webhookUrl={integrations[0]?.webhook.url ?? window.location.origin} />
      {integrations.length === 0 ? (
        <EmptyState title={t('channels.empty.title')} description={t('channels.empty.description')} action={addButton} />
      ) : (
        <div className="space-y-5">
          {integrations.map((integration) => (
            <IntegrationCard key={integration.id} integration={integration} canWrite={canWrite} onEdit={() => open(integration)} />
          ))}
        </div>
      )}
      {dialog && <ChannelDialog key={dialog.key} open onClose={() => setDialog(null)} editing={dialog.editing} />}
    </>
  );
}

function IntegrationCard({ integration, canWrite, onEdit }: { integration: Integration; canWrite: boolean; onEdit: () => void }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const headingId = useId();
  const health = useQuery(integrationHealthQuery(org.id, integration.id));
  const [confirm, setConfirm] = useState<'disconnect' | 'delete' | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.integrations.all(org.id) });

  const connect = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => connectIntegration(org.id, integration.id),
    onSuccess: (row) => toast.success(t('channels.connectedToast', { name: row.name })),
    onError: (e) => toast.error(connectErrorMessage(t, errorMessage, integration.platform, e)),
    onSettled: invalidate,
  });
  const disconnect = useMutation({
    mutationFn: () => api(channelsApi.disconnect(integration.id), { method: 'POST', orgId: org.id }),
    onSuccess: () => {
      setConfirm(null);
      toast.success(t('channels.disconnectedToast', { name: integration.name }));
    },
    onSettled: invalidate,
  });
  const remove = useMutation({
    mutationFn: () => api(channelsApi.one(integration.id), { method: 'DELETE', orgId: org.id }),
    onSuccess: () => {
      setConfirm(null);
      toast.success(t('channels.deletedToast', { name: integration.name }));
    },
    onSettled: invalidate,
  });

  // The status endpoint is fresher (it polls); the list's copy shows until it answers.
  const state = health.data ?? integration;
  const counts = health.data?.last24h;
  const account = [integration.account.name, integration.account.handle].filter(Boolean).join(' · ');

  return (
    <div role="group" aria-labelledby={headingId}>
      <Card
        title={
          <span className="flex items-center gap-3">
            <PlatformMark platform={integration.platform} />
            <span>
              <span id={headingId} className="block">
                {integration.name}
              </span>
              <span className="block text-xs font-normal text-zinc-500 dark:text-zinc-400">
                {t(`channels.platform.${integration.platform}`)}
                {account && ` · ${account}`}
              </span>
            </span>
          </span>
        }
        actions={<Badge tone={STATUS_TONE[state.status]}>{t(`channels.status.${state.status}`)}</Badge>}
      >
        <div className="grid gap-6 lg:grid-cols-2">
          <section aria-label={t('channels.setup')}>
            <h3 className="mb-3 text-sm font-semibold">{t('channels.setup')}</h3>
            <WebhookSetup integration={integration} />
          </section>
          <section aria-label={t('channels.health')}>
            <h3 className="mb-3 text-sm font-semibold">{t('channels.health')}</h3>
            <dl className="space-y-2 text-sm">
              <div className="flex flex-wrap justify-between gap-2">
                <dt className="text-zinc-500 dark:text-zinc-400">{integration.bot ? t('channels.bot', { name: integration.bot.name }) : t('channels.noBot')}</dt>
                {integration.platform === 'telegram' && <dd className="text-zinc-500 dark:text-zinc-400">{t('channels.groupsSetting', { mode: t(`channels.groups.${integration.settings.groups}`) })}</dd>}
                {integration.settings.discord && (
                  <dd className="text-zinc-500 dark:text-zinc-400">
                    {t('channels.discordSetting', { count: integration.settings.discord.channels.length, dms: t(integration.settings.discord.dms ? 'channels.on' : 'channels.off') })}
                  </dd>
                )}
                {integration.settings.handoffNotify && (
                  <dd className="text-zinc-500 dark:text-zinc-400">
                    {t('channels.slackSetting', {
                      target: integration.settings.handoffNotify.channelId ?? (integration.settings.handoffNotify.webhookUrl ? 'webhook' : t('channels.none')),
                    })}
                  </dd>
                )}
              </div>
              <div className="flex flex-wrap justify-between gap-2">
                <dt className="text-zinc-500 dark:text-zinc-400">{t('channels.lastMessage')}</dt>
                <dd>{state.lastMessageAt ? formatDate(state.lastMessageAt, locale, true) : t('channels.never')}</dd>
              </div>
              {counts && (
                <div className="flex flex-wrap justify-between gap-2">
                  <dt className="text-zinc-500 dark:text-zinc-400">{t('channels.last24h')}</dt>
                  <dd>
                    {t('channels.counts', { received: formatNumber(counts.received, locale), sent: formatNumber(counts.sent, locale), failed: formatNumber(counts.failed, locale) })}
                    {counts.pending > 0 && <span className="block text-right text-xs text-zinc-500">{t('channels.pending', { pending: formatNumber(counts.pending, locale) })}</span>}
                  </dd>
                </div>
              )}
              <div>
                <dt className="text-zinc-500 dark:text-zinc-400">{t('channels.lastError')}</dt>
                <dd className="mt-1">
                  {state.lastError ? (
                    <Alert tone={state.status === 'error' ? 'error' : 'warning'}>
                      <p className="break-words">{state.lastError}</p>
                      {state.lastErrorAt && <p className="mt-1 text-xs opacity-80">{formatDate(state.lastErrorAt, locale, true)}</p>}
                    </Alert>
                  ) : (
                    <span className="text-zinc-500 dark:text-zinc-400">{t('channels.noErrors')}</span>
                  )}
                </dd>
              </div>
            </dl>
          </section>
        </div>
        {canWrite && (
          <div className="mt-6 flex flex-wrap justify-end gap-2 border-t border-zinc-100 pt-4 dark:border-zinc-800" role="toolbar" aria-label={t('channels.actionsFor', { name: integration.name })}>
            <Button variant="ghost" size="sm" onClick={() => setConfirm('delete')}>
              {t('channels.delete')}
            </Button>
            {integration.status !== 'disconnected' && (
              <Button variant="secondary" size="sm" onClick={() => setConfirm('disconnect')}>
                {t('channels.disconnect')}
              </Button>
            )}
            <Button variant="secondary" size="sm" onClick={onEdit}>
              {t('channels.edit')}
            </Button>
            {integration.credentials.configured && (
              <Button size="sm" loading={connect.isPending} onClick={() => connect.mutate()}>
                {integration.status === 'connected' ? t('channels.reconnect') : t('channels.connect')}
              </Button>
            )}
          </div>
        )}
      </Card>
      <ConfirmDialog
        open={confirm === 'disconnect'}
        onClose={() => setConfirm(null)}
        onConfirm={() => disconnect.mutate()}
        title={t('channels.disconnectTitle', { name: integration.name })}
        description={t('channels.disconnectBody')}
        confirmLabel={t('channels.disconnect')}
        pending={disconnect.isPending}
      />
      <ConfirmDialog
        open={confirm === 'delete'}
        onClose={() => setConfirm(null)}
        onConfirm={() => remove.mutate()}
        title={t('channels.deleteTitle', { name: integration.name })}
        description={t('channels.deleteBody')}
        confirmLabel={t('channels.delete')}
        pending={remove.isPending}
        typedConfirmation={integration.name}
      />
    </div>
  );
}
