import { useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Alert, Button, Card, DataTable, DropdownMenu, EmptyState, formatDate } from '../../../../components/ui';
import { useLocale, useT } from '../../../../lib/i18n';
import { hasRole } from '../../../../lib/queries';
import { webhooksQuery, type Webhook } from '../../../../lib/queries-webhooks';
import { useOrg } from '../../../../lib/use-org';
import { SecretNotice, useWebhookActions, WebhookStateBadge, type RevealedSecret } from './-components/shared';
import { WebhookFormDialog } from './-components/webhook-form';

export const Route = createFileRoute('/_app/settings/webhooks/')({
  // Prefetch only: a member without the admin role gets a notice, not an error page.
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.prefetchQuery(webhooksQuery(orgId));
  },
  component: WebhooksPage,
});

function WebhooksPage() {
  const t = useT();
  const org = useOrg();
  if (!hasRole(org.role, 'admin')) return <Alert tone="info">{t('webhooks.adminOnly')}</Alert>;
  return <WebhookList orgId={org.id} />;
}

function WebhookList({ orgId }: { orgId: string }) {
  const t = useT();
  const locale = useLocale();
  const { data: hooks } = useSuspenseQuery(webhooksQuery(orgId));
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [secret, setSecret] = useState<RevealedSecret | null>(null);
  const actions = useWebhookActions(orgId, { onSecret: setSecret });
  const openForm = (webhook: Webhook | null) => {
    setEditing(webhook);
    setFormOpen(true);
  };
  const addButton = <Button onClick={() => openForm(null)}>{t('webhooks.add')}</Button>;

  return (
    <div className="space-y-6">
      <Card title={t('nav.webhooks')} description={t('webhooks.intro')} actions={hooks.length > 0 ? addButton : undefined}>
        {secret && (
          <div className="mb-5">
            <SecretNotice name={secret.name} secret={secret.secret} onDone={() => setSecret(null)} />
          </div>
        )}
        {hooks.length === 0 ? (
          <EmptyState title={t('webhooks.empty')} description={t('webhooks.emptyDesc')} action={addButton} />
        ) : (
          <DataTable className="-mx-5 -mb-5" columns={[{ label: t('webhooks.endpoint') }, { label: t('webhooks.events'), hiddenBelow: 'md' }, { label: t('webhooks.status') }, { label: t('webhooks.lastDelivery'), hiddenBelow: 'lg' }, { label: t('common.actions'), srOnly: true }]}>
            {hooks.map((w) => (
              <tr key={w.id}>
                <td className="max-w-0 px-5 py-3">
                  <Link
                    to="/settings/webhooks/$webhookId"
                    params={{ webhookId: w.id }}
                    className="block truncate font-medium text-zinc-900 hover:text-indigo-600 dark:text-zinc-100 dark:hover:text-indigo-400"
                  >
                    {w.name}
                  </Link>
                  <span className="block truncate font-mono text-xs text-zinc-500" title={w.url}>
                    {w.url}
                  </span>
                </td>
                <td className="hidden px-5 py-3 text-zinc-600 md:table-cell dark:text-zinc-400" title={w.events.join(', ')}>
                  {w.events.length === 1 ? <code className="font-mono text-xs">{w.events[0]}</code> : t('webhooks.eventsCount', { count: w.events.length })}
                </td>
                <td className="px-5 py-3">
                  <WebhookStateBadge webhook={w} />
                </td>
                <td className="hidden px-5 py-3 text-zinc-500 lg:table-cell">{w.lastDeliveryAt ? formatDate(w.lastDeliveryAt, locale, true) : t('webhooks.never')}</td>
                <td className="px-5 py-3 text-right whitespace-nowrap">
                  <Link
                    to="/settings/webhooks/$webhookId"
                    params={{ webhookId: w.id }}
                    className="mr-1 hidden rounded-md px-2 py-1.5 text-xs font-medium text-indigo-600 hover:bg-zinc-100 sm:inline-block dark:text-indigo-400 dark:hover:bg-zinc-800"
                  >
                    {t('webhooks.viewLog')}
                  </Link>
                  <DropdownMenu
                    label={t('webhooks.menu', { name: w.name })}
                    items={[
                      { label: t('webhooks.sendTest'), onSelect: () => actions.test(w) },
                      { label: t('webhooks.edit'), onSelect: () => openForm(w) },
                      { label: t(w.isActive ? 'webhooks.pause' : 'webhooks.resume'), onSelect: () => actions.toggle(w) },
                      { label: t('webhooks.rotate'), onSelect: () => actions.askRotate(w) },
                      { label: t('webhooks.delete'), onSelect: () => actions.askDelete(w), danger: true },
                    ]}
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      <VerifyHelp />
      <WebhookFormDialog
        orgId={orgId}
        open={formOpen}
        editing={editing}
        onClose={() => setFormOpen(false)}
        onCreated={(created) => setSecret({ name: created.name, secret: created.secret })}
      />
      {actions.dialogs}
    </div>
  );
}

function VerifyHelp() {
  const t = useT();
  return (
    <Card title={t('webhooks.verifyTitle')}>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('webhooks.verifyBody')}</p>
      <pre className="mt-3 overflow-x-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs text-zinc-700 ring-1 ring-zinc-200 dark:bg-zinc-950 dark:text-zinc-300 dark:ring-zinc-800">
        {'VersaAI-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd\nVersaAI-Event-Id: evt_…   VersaAI-Event-Type: message.created'}
      </pre>
      <a href="/api/docs" target="_blank" rel="noreferrer" className="mt-3 inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        {t('webhooks.verifyDocs')} <span className="sr-only">({t('common.newTab')})</span>
      </a>
    </Card>
  );
}
