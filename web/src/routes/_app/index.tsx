import { queryOptions, useMutation, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { useToast } from '../../components/toast';
import { Badge, Button, Card, cx, EmptyState, ErrorState, formatBytes, formatNumber, PageHeader, Spinner } from '../../components/ui';
import { api } from '../../lib/api';
import type { ApiResponse } from '../../lib/api-contract';
import { useLocale, useT } from '../../lib/i18n';
import { botsQuery, devOutboxAvailableQuery, hasRole, invitationsQuery, membersQuery, profileQuery } from '../../lib/queries';
import { change, overviewNumbersQuery } from '../../lib/queries-analytics';
import { conversationsPreviewQuery, contactName } from '../../lib/queries-inbox';
import { useOrg } from '../../lib/use-org';
import { formatPercent } from './-components/analytics/format';
import { SampleShopCard } from './-components/sample-shop';
import { Avatar, ChannelIcon, shortRelative, useNow } from './conversations/-components/shared';
import { queryKeys } from '../../lib/query-keys';

// The chart library loads after the numbers, so the first screen stays light.
const ActivityChart = lazy(() => import('./-components/analytics/charts').then((m) => ({ default: m.ActivityChart })));

type OrgUsage = ApiResponse<'/api/v1/organizations/{org_id}/usage'>;

const usageQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.usage.detail(orgId),
    queryFn: ({ signal }) => api<OrgUsage>(`/api/v1/organizations/${orgId}/usage`, { orgId, signal }),
    staleTime: 30_000,
  });

export const Route = createFileRoute('/_app/')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (!orgId) return;
    void queryClient.prefetchQuery(usageQuery(orgId));
    void queryClient.prefetchQuery(overviewNumbersQuery(orgId));
    return queryClient.ensureQueryData(membersQuery(orgId));
  },
  component: Overview,
});

function Overview() {
  const t = useT();
  const toast = useToast();
  const org = useOrg();
  const { data: profile } = useSuspenseQuery(profileQuery());
  const { data: members } = useSuspenseQuery(membersQuery(org.id));
  const isAdmin = hasRole(org.role, 'admin');
  // Invitations are an admin resource; others do not see that checklist item.
  const invitations = useQuery({ ...invitationsQuery(org.id), enabled: isAdmin });
  const bots = useQuery(botsQuery(org.id));
  const usage = useQuery(usageQuery(org.id));
  const activeBots = bots.data?.filter((b) => b.status === 'active').length;
  const devOutbox = useQuery({ ...devOutboxAvailableQuery(), enabled: !profile.emailVerified });
  // Offered while there is no chatbot; once started it stays to show its links.
  const [sampleStarted, setSampleStarted] = useState(false);

  const resend = useMutation({
    mutationFn: () => api('/api/v1/auth/resend-verification', { method: 'POST', body: {}, orgId: null }),
    onSuccess: () => toast.success(t('overview.verificationSent')),
  });

  // The first ten minutes: knowledge, then a chatbot on it, then the chatbot on a site; each step
  // is checked from what the organization really has.
  const firstBot = bots.data?.find((b) => b.knowledgeBaseIds.length > 0) ?? bots.data?.[0];
  const steps: { key: string; done: boolean; title: string; description: string; action: ReactNode }[] = [
    {
      key: 'knowledge',
      done: (usage.data?.documents ?? 0) > 0,
      title: t('overview.stepKnowledge'),
      description: t('overview.stepKnowledgeDesc'),
      action: isAdmin && <ActionLink to="/knowledge">{t('overview.stepKnowledgeAction')}</ActionLink>,
    },
    {
      key: 'chatbot',
      done: (bots.data ?? []).some((b) => b.knowledgeBaseIds.length > 0),
      title: t('overview.stepBot'),
      description: t('overview.stepBotDesc'),
      action: isAdmin && (
        <Link to="/chatbots" search={{ new: true }} className={ACTION_CLASS}>
          {t('overview.stepBotAction')}
        </Link>
      ),
    },
    {
      key: 'install',
      done: (usage.data?.conversations ?? 0) > 0,
      title: t('overview.stepInstall'),
      description: t('overview.stepInstallDesc'),
      action:
        isAdmin &&
        (firstBot ? (
          <Link to="/chatbots/$botId" params={{ botId: firstBot.id }} search={{ tab: 'install' }} className={ACTION_CLASS}>
            {t('overview.stepInstallAction')}
          </Link>
        ) : null),
    },
  ];
  if (isAdmin) {
    steps.push({
      key: 'invite',
      done: members.length > 1 || (invitations.data?.length ?? 0) > 0,
      title: t('overview.stepInvite'),
      description: t('overview.stepInviteDesc'),
      action: <ActionLink to="/team">{t('overview.stepInviteAction')}</ActionLink>,
    });
  }
  // Verifying the email is only a step while it is pending.
  if (!profile.emailVerified) {
    steps.unshift({
      key: 'verify',
      done: false,
      title: t('overview.stepVerify'),
      description: t('overview.stepVerifyDesc', { email: profile.email }),
      action: (
        <div className="flex flex-wrap items-center gap-2">
          {/* Local development: the mail never leaves the machine, so point at the outbox. */}
          {devOutbox.data && <ActionLink to="/dev/outbox">{t('overview.openVerificationMail')}</ActionLink>}
          <Button size="sm" variant="secondary" loading={resend.isPending} onClick={() => resend.mutate()}>
            {t('overview.resend')}
          </Button>
        </div>
      ),
    });
  }
  const done = steps.filter((s) => s.done).length;

  return (
    <>
      <PageHeader title={org.name} description={t('overview.welcome', { name: profile.name.split(' ')[0] })} />
      <Counters orgId={org.id} activeBotsFallback={activeBots} botsTotal={bots.data?.length} members={members.length} />
      <div className="mt-6 flex flex-wrap gap-3" role="group" aria-label={t('overview.quickActions')}>
        {isAdmin && (
          <Link
            to="/chatbots"
            search={{ new: true }}
            className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500"
          >
            <span aria-hidden="true">+</span> {t('overview.newBot')}
          </Link>
        )}
        <QuickLink to="/conversations">{t('overview.openInbox')}</QuickLink>
        {isAdmin && <QuickLink to="/knowledge">{t('overview.addKnowledge')}</QuickLink>}
        {isAdmin && <QuickLink to="/channels">{t('overview.connectChannel')}</QuickLink>}
      </div>
      {isAdmin && (bots.data?.length === 0 || sampleStarted) && <SampleShopCard orgId={org.id} onStart={() => setSampleStarted(true)} />}
      <div className="mt-6 grid gap-6 lg:grid-cols-5">
        <ActivityCard orgId={org.id} className="lg:col-span-3" />
        <RecentConversations orgId={org.id} className="lg:col-span-2" />
      </div>
      <div className="mt-6 flex items-center gap-2 text-sm text-zinc-500 dark:text-zinc-400">
        {t('overview.yourRole')}: <Badge tone="indigo">{t(`role.${org.role}`)}</Badge>
        <span aria-hidden="true">·</span>
        {t('overview.setup')}: {done}/{steps.length}
      </div>
      <Card className="mt-6" title={t('overview.gettingStarted')} description={t('overview.gettingStartedDesc')}>
        <div
          className="mb-5 h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
          role="progressbar"
          aria-label={t('overview.setup')}
          aria-valuemin={0}
          aria-valuemax={steps.length}
          aria-valuenow={done}
        >
          <div className="h-full rounded-full bg-indigo-600 transition-all" style={{ width: `${(done / steps.length) * 100}%` }} />
        </div>
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {steps.map((s) => (
            <li key={s.key} className="flex flex-wrap items-center gap-4 py-3">
              <span
                className={cx(
                  'flex size-6 shrink-0 items-center justify-center rounded-full text-xs',
                  s.done ? 'bg-emerald-500 text-white' : 'ring-2 ring-zinc-300 dark:ring-zinc-600',
                )}
                aria-hidden="true"
              >
                {s.done && '✓'}
              </span>
              <div className="min-w-0 flex-1">
                <p className={cx('text-sm font-medium', s.done && 'text-zinc-500 line-through decoration-zinc-400')}>
                  {s.title}
                  <span className="sr-only"> — {s.done ? t('overview.done') : t('overview.todo')}</span>
                </p>
                {!s.done && <p className="text-sm text-zinc-500 dark:text-zinc-400">{s.description}</p>}
              </div>
              {s.done ? <Badge tone="green">{t('overview.done')}</Badge> : s.action}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}

function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <p className="text-sm text-zinc-500 dark:text-zinc-400">{label}</p>
      <div className="mt-2 text-2xl font-semibold">{value}</div>
      {hint && <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
    </div>
  );
}

/** Trend against the previous 30 days, coloured by direction. */
function Trend({ current, previous }: { current: number; previous: number }) {
  const t = useT();
  const locale = useLocale();
  const delta = change(current, previous);
  if (delta === null) return null;
  const text = `${delta > 0 ? '+' : ''}${formatPercent(delta, locale)}`;
  return <span className={delta >= 0 ? 'text-emerald-600 dark:text-emerald-400' : 'text-rose-600 dark:text-rose-400'}>{t('overview.vsPrevious', { change: text })}</span>;
}

/** The same numbers as the Analytics page (last 30 days) plus what the organization holds. */
function Counters({ orgId, activeBotsFallback, botsTotal, members }: { orgId: string; activeBotsFallback?: number; botsTotal?: number; members: number }) {
  const t = useT();
  const locale = useLocale();
  const usage = useQuery(usageQuery(orgId));
  const numbers = useQuery(overviewNumbersQuery(orgId));
  const totals = numbers.data?.totals;
  const previous = numbers.data?.previous.totals;
  const dash = <span className="text-zinc-300 dark:text-zinc-600">—</span>;
  const activeBots = usage.data?.activeBots ?? activeBotsFallback;
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
      <Stat
        label={t('overview.conversations30')}
        value={
          <Link to="/analytics" className="hover:text-indigo-600 dark:hover:text-indigo-400">
            {totals ? formatNumber(totals.conversations, locale) : dash}
          </Link>
        }
        hint={totals && previous ? <Trend current={totals.conversations} previous={previous.conversations} /> : undefined}
      />
      <Stat
        label={t('overview.messages30')}
        value={totals ? formatNumber(totals.messages, locale) : dash}
        hint={usage.data ? t('overview.openNow', { count: formatNumber(usage.data.openConversations, locale) }) : undefined}
      />
      <Stat
        label={t('overview.activeBots')}
        value={
          <Link to="/chatbots" search={{ status: 'active' }} className="hover:text-indigo-600 dark:hover:text-indigo-400">
            {activeBots ?? '—'}
            {(usage.data?.bots ?? botsTotal ?? 0) > (activeBots ?? 0) && (
              <span className="ml-1.5 text-sm font-normal text-zinc-500">{t('overview.botsTotal', { count: usage.data?.bots ?? botsTotal ?? 0 })}</span>
            )}
          </Link>
        }
      />
      <Stat
        label={t('overview.members')}
        value={
          <Link to="/team" className="hover:text-indigo-600 dark:hover:text-indigo-400">
            {usage.data?.members ?? members}
          </Link>
        }
      />
      <Stat
        label={t('overview.storage')}
        value={usage.data ? formatBytes(usage.data.storageBytes, locale) : dash}
        hint={usage.data ? t('overview.documents', { count: formatNumber(usage.data.documents, locale) }) : undefined}
      />
    </div>
  );
}

function ActivityCard({ orgId, className }: { orgId: string; className?: string }) {
  const t = useT();
  const numbers = useQuery(overviewNumbersQuery(orgId));
  return (
    <Card
      className={className}
      title={t('overview.activity')}
      description={t('overview.activityDesc')}
      actions={
        <Link to="/analytics" className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          {t('overview.seeAnalytics')}
        </Link>
      }
    >
      {numbers.isError ? (
        <ErrorState message={t('overview.chartError')} onRetry={() => void numbers.refetch()} />
      ) : !numbers.data ? (
        <div className="flex h-64 items-center justify-center">
          <Spinner />
        </div>
      ) : (
        <Suspense
          fallback={
            <div className="flex h-64 items-center justify-center">
              <Spinner />
            </div>
          }
        >
          <ActivityChart series={numbers.data.series} />
        </Suspense>
      )}
    </Card>
  );
}

function RecentConversations({ orgId, className }: { orgId: string; className?: string }) {
  const t = useT();
  const locale = useLocale();
  const now = useNow();
  const recent = useQuery(conversationsPreviewQuery(orgId, {}, 6));
  return (
    <Card className={className} title={t('overview.recent')} description={t('overview.recentDesc')}>
      {recent.isError ? (
        <ErrorState message={t('overview.chartError')} onRetry={() => void recent.refetch()} />
      ) : !recent.data ? (
        <div className="flex h-40 items-center justify-center">
          <Spinner />
        </div>
      ) : recent.data.data.length === 0 ? (
        <EmptyState title={t('overview.noRecent')} description={t('overview.noRecentDesc')} />
      ) : (
        <ul className="-my-2 divide-y divide-zinc-100 dark:divide-zinc-800">
          {recent.data.data.map((c) => (
            <li key={c.id}>
              <Link
                to="/conversations/$conversationId"
                params={{ conversationId: c.id }}
                className="-mx-2 flex items-center gap-3 rounded-lg px-2 py-2.5 hover:bg-zinc-50 dark:hover:bg-zinc-800/60"
              >
                <Avatar name={contactName(c, t)} seed={c.contact.id} size="sm" />
                <div className="min-w-0 flex-1">
                  <p className="flex items-center gap-1.5 text-sm font-medium">
                    <span className="truncate">{contactName(c, t)}</span>
                    <ChannelIcon channel={c.channel} className="size-3.5 shrink-0 text-zinc-400" />
                    {c.unreadCount > 0 && <span className="size-2 shrink-0 rounded-full bg-indigo-600" aria-hidden="true" />}
                  </p>
                  <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{c.lastMessagePreview}</p>
                </div>
                <span className="shrink-0 text-xs text-zinc-400">{shortRelative(c.lastMessageAt, locale, now, t)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function QuickLink({ to, children }: { to: '/conversations' | '/knowledge' | '/channels'; children: ReactNode }) {
  return (
    <Link
      to={to}
      className="inline-flex items-center rounded-lg px-3.5 py-2 text-sm font-medium shadow-sm ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"
    >
      {children}
    </Link>
  );
}

const ACTION_CLASS = 'rounded-lg px-2.5 py-1.5 text-xs font-medium ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800';

function ActionLink({ to, children }: { to: '/knowledge' | '/team' | '/dev/outbox'; children: ReactNode }) {
  return (
    <Link to={to} className={ACTION_CLASS}>
      {children}
    </Link>
  );
}
