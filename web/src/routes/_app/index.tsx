import { useMutation, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useToast } from '../../components/toast';
import { Badge, Button, Card, cx, PageHeader } from '../../components/ui';
import { api } from '../../lib/api';
import { useErrorMessage, useT } from '../../lib/i18n';
import { apiKeysQuery, botsQuery, hasRole, invitationsQuery, membersQuery, profileQuery } from '../../lib/queries';
import { useOrg } from '../../lib/use-org';

export const Route = createFileRoute('/_app/')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(membersQuery(orgId));
  },
  component: Overview,
});

function Overview() {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const org = useOrg();
  const { data: profile } = useSuspenseQuery(profileQuery());
  const { data: members } = useSuspenseQuery(membersQuery(org.id));
  const isAdmin = hasRole(org.role, 'admin');
  // Invitations and API keys are admin resources; others do not see those checklist items.
  const invitations = useQuery({ ...invitationsQuery(org.id), enabled: isAdmin });
  const apiKeys = useQuery({ ...apiKeysQuery(org.id), enabled: isAdmin });
  const bots = useQuery(botsQuery(org.id));
  const activeBots = bots.data?.filter((b) => b.status === 'active').length;

  const resend = useMutation({
    mutationFn: () => api('/api/v1/auth/resend-verification', { method: 'POST', body: {}, orgId: null }),
    onSuccess: () => toast.success(t('overview.verificationSent')),
    onError: (e) => toast.error(errorMessage(e)),
  });

  const steps: { key: string; done: boolean; title: string; description: string; action: ReactNode }[] = [
    {
      key: 'verify',
      done: profile.emailVerified,
      title: t('overview.stepVerify'),
      description: t('overview.stepVerifyDesc', { email: profile.email }),
      action: (
        <Button size="sm" variant="secondary" loading={resend.isPending} onClick={() => resend.mutate()}>
          {t('overview.resend')}
        </Button>
      ),
    },
    {
      key: '2fa',
      done: profile.twoFactorEnabled,
      title: t('overview.step2fa'),
      description: t('overview.step2faDesc'),
      action: <ActionLink to="/profile">{t('overview.step2faAction')}</ActionLink>,
    },
  ];
  if (isAdmin) {
    steps.push(
      {
        key: 'invite',
        done: members.length > 1 || (invitations.data?.length ?? 0) > 0,
        title: t('overview.stepInvite'),
        description: t('overview.stepInviteDesc'),
        action: <ActionLink to="/team">{t('overview.stepInviteAction')}</ActionLink>,
      },
      {
        key: 'apikey',
        done: (apiKeys.data?.length ?? 0) > 0,
        title: t('overview.stepApiKey'),
        description: t('overview.stepApiKeyDesc'),
        action: <ActionLink to="/settings/api-keys">{t('overview.stepApiKeyAction')}</ActionLink>,
      },
    );
  }
  const done = steps.filter((s) => s.done).length;

  return (
    <>
      <PageHeader title={org.name} description={t('overview.welcome', { name: profile.name.split(' ')[0] })} />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label={t('overview.yourRole')} value={<Badge tone="indigo">{t(`role.${org.role}`)}</Badge>} />
        <Stat
          label={t('overview.activeBots')}
          value={
            <Link to="/chatbots" search={{ status: 'active' }} className="text-2xl font-semibold hover:text-indigo-600 dark:hover:text-indigo-400">
              {activeBots ?? '—'}
              {bots.data && bots.data.length > activeBots! && (
                <span className="ml-1.5 text-sm font-normal text-zinc-500">{t('overview.botsTotal', { count: bots.data.length })}</span>
              )}
            </Link>
          }
        />
        <Stat label={t('overview.members')} value={<span className="text-2xl font-semibold">{members.length}</span>} />
        <Stat
          label={t('overview.setup')}
          value={
            <span className="text-2xl font-semibold">
              {done}/{steps.length}
            </span>
          }
        />
      </div>
      {isAdmin && (
        <div className="mt-6 flex flex-wrap gap-3" role="group" aria-label={t('overview.quickActions')}>
          <Link
            to="/chatbots"
            search={{ new: true }}
            className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500"
          >
            <span aria-hidden="true">+</span> {t('overview.newBot')}
          </Link>
        </div>
      )}
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

function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <p className="text-sm text-zinc-500 dark:text-zinc-400">{label}</p>
      <div className="mt-2">{value}</div>
    </div>
  );
}

function ActionLink({ to, children }: { to: '/profile' | '/team' | '/settings/api-keys'; children: ReactNode }) {
  return (
    <Link to={to} className="rounded-lg px-2.5 py-1.5 text-xs font-medium ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800">
      {children}
    </Link>
  );
}
