import { queryOptions, useMutation, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { Alert, Badge, Button, Card, ProgressBar, formatBytes, formatDate, formatNumber } from '../../../components/ui';
import { api } from '../../../lib/api';
import type { ApiResponse } from '../../../lib/api-contract';
import { useLocale, useT } from '../../../lib/i18n';
import type { MessageKey } from '../../../lib/messages';
import { queryKeys } from '../../../lib/query-keys';
import { useOrg } from '../../../lib/use-org';

type OrgUsage = ApiResponse<'/api/v1/organizations/{org_id}/usage'>;
type PlanUsage = OrgUsage['plan'];
type Limit = PlanUsage['limits'][number];

const usageQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.usage.detail(orgId),
    queryFn: ({ signal }) => api<OrgUsage>(`/api/v1/organizations/${orgId}/usage`, { orgId, signal }),
    staleTime: 0,
  });

export const Route = createFileRoute('/_app/settings/plan')({
  validateSearch: (search: Record<string, unknown>): { checkout?: 'success' | 'cancelled' } =>
    search.checkout === 'success' || search.checkout === 'cancelled' ? { checkout: search.checkout } : {},
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(usageQuery(orgId));
  },
  component: PlanAndUsage,
});

function PlanAndUsage() {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const { checkout } = Route.useSearch();
  const { data } = useSuspenseQuery(usageQuery(org.id));
  const plan = data.plan;
  const planName = (id: string) => t(`plan.name.${id}` as MessageKey);
  return (
    <div className="space-y-6">
      {checkout === 'success' && <Alert tone="success">{t('plan.checkoutDone')}</Alert>}
      {checkout === 'cancelled' && <Alert tone="warning">{t('plan.checkoutCancelled')}</Alert>}
      <Card title={t('plan.title')} description={plan.billingEnabled ? t('plan.resets', { date: formatDate(plan.resetsAt, locale) }) : t('plan.selfHosted')}>
        <div className="mb-5 flex flex-wrap items-center gap-3">
          <p className="text-sm font-medium" data-testid="current-plan">
            {t('plan.current', { plan: planName(plan.plan) })}
          </p>
          {plan.subscriptionStatus && <Badge tone={plan.subscriptionStatus === 'active' ? 'green' : 'amber'}>{t('plan.status', { status: plan.subscriptionStatus })}</Badge>}
        </div>
        <ul className="space-y-4">
          {plan.limits.map((limit) => (
            <LimitBar key={limit.name} limit={limit} />
          ))}
        </ul>
        {plan.billingEnabled && <BillingActions plan={plan} planName={planName} />}
      </Card>
    </div>
  );
}

function LimitBar({ limit }: { limit: Limit }) {
  const t = useT();
  const locale = useLocale();
  const show = (n: number) => (limit.name === 'storageBytes' ? formatBytes(n, locale) : formatNumber(n, locale));
  const label = t(`plan.limit.${limit.name}` as MessageKey);
  const share = limit.limit ? limit.used / limit.limit : 0;
  const over = limit.limit !== null && limit.used >= limit.limit;
  return (
    <li data-testid={`limit-${limit.name}`}>
      <div className="mb-1 flex items-baseline justify-between gap-3 text-sm">
        <span>{label}</span>
        <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
          {limit.limit === null ? t('plan.noLimit', { used: show(limit.used) }) : t('plan.of', { used: show(limit.used), limit: show(limit.limit) })}
          {over && <span className="ml-2 font-medium text-red-600">{t('plan.over')}</span>}
        </span>
      </div>
      {limit.limit !== null && <ProgressBar value={share} label={label} tone={over ? 'red' : share >= 0.8 ? 'red' : 'indigo'} />}
    </li>
  );
}

function BillingActions({ plan, planName }: { plan: PlanUsage; planName: (id: string) => string }) {
  const t = useT();
  const org = useOrg();
  const go = (url: string) => window.location.assign(url);
  const upgrade = useMutation({
    mutationFn: (target: string) => api<{ url: string }>('/api/v1/billing/checkout', { method: 'POST', body: { plan: target }, orgId: org.id }),
    onSuccess: ({ url }) => go(url),
  });
  const manage = useMutation({
    mutationFn: () => api<{ url: string }>('/api/v1/billing/portal', { method: 'POST', orgId: org.id }),
    onSuccess: ({ url }) => go(url),
  });
  if (org.role !== 'owner') return <p className="mt-5 text-sm text-zinc-500">{t('plan.ownerOnly')}</p>;
  return (
    <div className="mt-6 flex flex-wrap gap-3">
      {plan.upgrades.map((target) => (
        <Button key={target} loading={upgrade.isPending && upgrade.variables === target} onClick={() => upgrade.mutate(target)}>
          {t('plan.upgradeTo', { plan: planName(target) })}
        </Button>
      ))}
      {plan.canManage && (
        <Button variant="secondary" loading={manage.isPending} onClick={() => manage.mutate()}>
          {t('plan.manage')}
        </Button>
      )}
    </div>
  );
}
