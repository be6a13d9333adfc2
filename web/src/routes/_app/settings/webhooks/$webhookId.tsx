import { useInfiniteQuery, useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Card, cx, EmptyState, ErrorState, formatDate, SelectField, Spinner } from '../../../../components/ui';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { hasRole } from '../../../../lib/queries';
import {
  DELIVERY_STATUSES,
  webhookDeliveriesQuery,
  webhookQuery,
  webhooksApi,
  webhookState,
  type DeliveryStatus,
  type Webhook,
  type WebhookDelivery,
} from '../../../../lib/queries-webhooks';
import { useOrg } from '../../../../lib/use-org';
import { DeliveryStatusBadge, SecretNotice, useWebhookActions, WebhookStateBadge, type RevealedSecret } from './-components/shared';
import { WebhookFormDialog } from './-components/webhook-form';
import { queryKeys } from '../../../../lib/query-keys';

export const Route = createFileRoute('/_app/settings/webhooks/$webhookId')({
  validateSearch: (search: Record<string, unknown>): { status?: DeliveryStatus } => ({
    status: DELIVERY_STATUSES.find((s) => s === search.status),
  }),
  loaderDeps: ({ search }) => ({ status: search.status }),
  loader: ({ context: { queryClient, orgId }, params: { webhookId }, deps: { status } }) => {
    if (!orgId) return;
    return Promise.all([
      queryClient.prefetchQuery(webhookQuery(orgId, webhookId)),
      queryClient.prefetchInfiniteQuery(webhookDeliveriesQuery(orgId, webhookId, status)),
    ]);
  },
  component: WebhookPage,
});

function WebhookPage() {
  const t = useT();
  const org = useOrg();
  if (!hasRole(org.role, 'admin')) return <Alert tone="info">{t('webhooks.adminOnly')}</Alert>;
  return <WebhookDetail orgId={org.id} />;
}

function WebhookDetail({ orgId }: { orgId: string }) {
  const t = useT();
  const locale = useLocale();
  const navigate = useNavigate();
  const { webhookId } = Route.useParams();
  const { data: webhook } = useSuspenseQuery(webhookQuery(orgId, webhookId));
  const [secret, setSecret] = useState<RevealedSecret | null>(null);
  const [editing, setEditing] = useState(false);
  const actions = useWebhookActions(orgId, { onSecret: setSecret, onDeleted: () => void navigate({ to: '/settings/webhooks' }) });
  const state = webhookState(webhook);

  return (
    <div className="space-y-6">
      <nav aria-label={t('webhooks.breadcrumb')} className="flex min-w-0 items-center gap-1.5 text-sm text-zinc-500">
        <Link to="/settings/webhooks" className="font-medium hover:text-zinc-800 dark:hover:text-zinc-200">
          {t('nav.webhooks')}
        </Link>
        <span aria-hidden="true">/</span>
        <span className="truncate text-zinc-800 dark:text-zinc-200" aria-current="page">
          {webhook.name}
        </span>
      </nav>

      <Card
        title={
          <span className="flex flex-wrap items-center gap-2">
            {webhook.name} <WebhookStateBadge webhook={webhook} />
          </span>
        }
        description={<span className="font-mono text-xs break-all">{webhook.url}</span>}
        actions={
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" size="sm" loading={actions.testing === webhook.id} onClick={() => actions.test(webhook)}>
              {t('webhooks.sendTest')}
            </Button>
            <Button variant={state === 'disabled' ? 'primary' : 'secondary'} size="sm" loading={actions.toggling === webhook.id} onClick={() => actions.toggle(webhook)}>
              {t(webhook.isActive ? 'webhooks.pause' : 'webhooks.resume')}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setEditing(true)}>
              {t('webhooks.edit')}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => actions.askRotate(webhook)}>
              {t('webhooks.rotate')}
            </Button>
            <Button variant="ghost" size="sm" className="text-red-600 dark:text-red-400" onClick={() => actions.askDelete(webhook)}>
              {t('webhooks.delete')}
            </Button>
          </div>
        }
      >
        <div className="space-y-4">
          {secret && <SecretNotice name={secret.name} secret={secret.secret} onDone={() => setSecret(null)} />}
          {state === 'disabled' && (
            <Alert tone="error">
              <p className="font-medium">{t('webhooks.disabledTitle', { count: webhook.failureCount })}</p>
              {webhook.disabledReason && <p className="mt-1 break-words">{webhook.disabledReason}</p>}
              <p className="mt-1">{t('webhooks.disabledHint')}</p>
            </Alert>
          )}
          {state === 'paused' && <Alert tone="warning">{t('webhooks.pausedNote')}</Alert>}
          <dl className="grid gap-4 text-sm sm:grid-cols-3">
            <div className="sm:col-span-2">
              <dt className="text-xs font-medium text-zinc-500 uppercase">{t('webhooks.events')}</dt>
              <dd className="mt-1 flex flex-wrap gap-1.5">
                {webhook.events.map((e) => (
                  <code key={e} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">
                    {e}
                  </code>
                ))}
              </dd>
            </div>
            <div>
              <dt className="text-xs font-medium text-zinc-500 uppercase">{t('webhooks.lastDelivery')}</dt>
              <dd className="mt-1">{webhook.lastDeliveryAt ? formatDate(webhook.lastDeliveryAt, locale, true) : t('webhooks.never')}</dd>
              {webhook.failureCount > 0 && state !== 'disabled' && (
                <dd className="mt-1 text-xs text-amber-700 dark:text-amber-300">{t('webhooks.failureCount', { count: webhook.failureCount })}</dd>
              )}
            </div>
          </dl>
        </div>
      </Card>

      <DeliveryLog orgId={orgId} webhook={webhook} />
      <WebhookFormDialog orgId={orgId} open={editing} editing={webhook} onClose={() => setEditing(false)} />
      {actions.dialogs}
    </div>
  );
}

function DeliveryLog({ orgId, webhook }: { orgId: string; webhook: Webhook }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate({ from: Route.fullPath });
  const { status } = Route.useSearch();
  const queryClient = useQueryClient();
  const deliveries = useInfiniteQuery(webhookDeliveriesQuery(orgId, webhook.id, status));
  const rows = deliveries.data?.pages.flatMap((p) => p.data) ?? [];
  // When the last retry settles, the endpoint's own counters (last delivery, failures) moved too.
  const retrying = rows.some((d) => d.status === 'pending');
  const wasRetrying = useRef(retrying);
  useEffect(() => {
    if (wasRetrying.current && !retrying) void queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.detail(orgId, webhook.id) });
    wasRetrying.current = retrying;
  }, [retrying, queryClient, orgId, webhook.id]);

  return (
    <Card
      title={t('webhooks.log')}
      description={t('webhooks.logDesc')}
      actions={
        <SelectField
          className="w-40"
          label={t('webhooks.filterStatus')}
          value={status ?? ''}
          onChange={(e) => void navigate({ search: { status: (e.target.value || undefined) as DeliveryStatus | undefined }, replace: true })}
        >
          <option value="">{t('common.all')}</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`webhooks.delivery.${s}`)}
            </option>
          ))}
        </SelectField>
      }
    >
      {deliveries.isPending ? (
        <div role="status" className="flex items-center justify-center gap-3 py-10 text-sm text-zinc-500">
          <Spinner /> {t('common.loading')}
        </div>
      ) : deliveries.isError ? (
        <ErrorState message={errorMessage(deliveries.error)} onRetry={() => void deliveries.refetch()} />
      ) : rows.length === 0 ? (
        status ? <EmptyState title={t('webhooks.noMatching')} /> : <EmptyState title={t('webhooks.noDeliveries')} description={t('webhooks.noDeliveriesDesc')} />
      ) : (
        <>
          <ul className="-mx-5 -my-5 divide-y divide-zinc-100 dark:divide-zinc-800">
            {rows.map((d) => (
              <DeliveryRow key={d.id} orgId={orgId} webhookId={webhook.id} delivery={d} />
            ))}
          </ul>
          {deliveries.hasNextPage && (
            <div className="mt-8 flex justify-center">
              <Button variant="secondary" size="sm" loading={deliveries.isFetchingNextPage} onClick={() => void deliveries.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

function DeliveryRow({ orgId, webhookId, delivery }: { orgId: string; webhookId: string; delivery: WebhookDelivery }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const queryClient = useQueryClient();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const resend = useMutation({
    mutationFn: () => webhooksApi.resend(orgId, webhookId, delivery.id),
    onSuccess: ({ ok, delivery: updated }) => {
      setOpen(true);
      if (ok) toast.success(t('webhooks.resentOk', { status: updated.responseStatus ?? '' }));
      else toast.error(t('webhooks.resendFailed', { error: updated.lastError ?? '' }));
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.deliveries(orgId, webhookId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.all(orgId) }),
      ]),
  });
  const time = formatDate(delivery.createdAt, locale, true);

  return (
    <li>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 px-5 py-3">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          aria-label={t('webhooks.showAttempts', { event: delivery.event, time })}
          onClick={() => setOpen((v) => !v)}
          className="flex min-w-0 flex-1 items-center gap-3 rounded-md text-left focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" className={cx('size-4 shrink-0 text-zinc-400 transition-transform', open && 'rotate-90')} fill="currentColor">
            <path d="M7.2 4.2a1 1 0 0 1 1.4 0l5 5a1 1 0 0 1 0 1.4l-5 5a1 1 0 1 1-1.4-1.4L11.5 10 7.2 5.6a1 1 0 0 1 0-1.4Z" />
          </svg>
          <span className="min-w-0">
            <code className="block truncate font-mono text-sm font-medium text-zinc-900 dark:text-zinc-100">{delivery.event}</code>
            <span className="block text-xs text-zinc-500">
              {time} · {delivery.attempts === 1 ? t('webhooks.attemptOne') : t('webhooks.attemptMany', { count: delivery.attempts })}
              {delivery.status === 'pending' && delivery.nextAttemptAt && ` · ${t('webhooks.nextAttempt', { time: formatDate(delivery.nextAttemptAt, locale, true) })}`}
            </span>
          </span>
        </button>
        <div className="flex items-center gap-3">
          {delivery.responseStatus !== null && <span className="font-mono text-xs text-zinc-500">HTTP {delivery.responseStatus}</span>}
          <DeliveryStatusBadge status={delivery.status} />
          <Button variant="secondary" size="sm" loading={resend.isPending} onClick={() => resend.mutate()} aria-label={t('webhooks.resendNamed', { event: delivery.event })}>
            {t('webhooks.resend')}
          </Button>
        </div>
      </div>
      {open && (
        <div id={panelId} className="space-y-4 bg-zinc-50 px-5 py-4 dark:bg-zinc-950/40">
          <AttemptTable delivery={delivery} />
          <div>
            <p className="text-xs font-medium text-zinc-500 uppercase">
              {t('webhooks.payload')} · {t('webhooks.eventId')} <code className="font-mono normal-case">{delivery.eventId}</code>
            </p>
            <pre className="mt-1.5 max-h-64 overflow-auto rounded-lg bg-white p-3 font-mono text-xs text-zinc-700 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-800">
              {JSON.stringify(delivery.payload, null, 2)}
            </pre>
          </div>
        </div>
      )}
    </li>
  );
}

function AttemptTable({ delivery }: { delivery: WebhookDelivery }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <table className="w-full text-left text-xs">
        <thead className="border-b border-zinc-100 text-zinc-500 uppercase dark:border-zinc-800">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">{t('webhooks.attempt')}</th>
            <th scope="col" className="px-3 py-2 font-medium">{t('webhooks.time')}</th>
            <th scope="col" className="px-3 py-2 font-medium">{t('webhooks.status')}</th>
            <th scope="col" className="px-3 py-2 font-medium">{t('webhooks.duration')}</th>
            <th scope="col" className="px-3 py-2 font-medium">{t('webhooks.response')}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {delivery.attemptLog.map((a) => {
            const ok = a.responseStatus !== null && a.responseStatus >= 200 && a.responseStatus < 300;
            return (
              <tr key={a.attempt}>
                <td className="px-3 py-2 font-mono">#{a.attempt}</td>
                <td className="px-3 py-2 whitespace-nowrap text-zinc-500">{formatDate(a.createdAt, locale, true)}</td>
                <td className={cx('px-3 py-2 font-mono whitespace-nowrap', ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400')}>
                  {a.responseStatus !== null ? `HTTP ${a.responseStatus}` : t('webhooks.noResponse')}
                </td>
                <td className="px-3 py-2 whitespace-nowrap text-zinc-500">{t('webhooks.durationMs', { ms: a.durationMs })}</td>
                <td className="max-w-md px-3 py-2">
                  {a.error && <p className="text-red-700 dark:text-red-400">{a.error}</p>}
                  {a.responseExcerpt && <code className="block font-mono break-all whitespace-pre-wrap text-zinc-600 dark:text-zinc-400">{a.responseExcerpt}</code>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
