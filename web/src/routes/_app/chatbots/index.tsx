import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createFileRoute, Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { Alert, Button, DropdownMenu, EmptyState, ErrorState, formatNumber, PageHeader, PageLoader, SelectField, TextField } from '../../../components/ui';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { BOT_STATUSES, botsQuery, chatModelsQuery, hasRole, type Bot, type BotStatus } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';
import { CreateBotWizard } from './-components/create-wizard';
import { BotIcon, DeleteBotDialog, StatusBadge, useBotMutations, useModelLabel } from './-components/shared';

interface BotsSearch {
  status?: BotStatus;
  q?: string;
  /** Opens the create wizard (the overview's quick action links here). */
  new?: boolean;
}

export const Route = createFileRoute('/_app/chatbots/')({
  validateSearch: (search: Record<string, unknown>): BotsSearch => ({
    status: BOT_STATUSES.includes(search.status as BotStatus) ? (search.status as BotStatus) : undefined,
    q: typeof search.q === 'string' && search.q.trim() ? search.q : undefined,
    new: search.new === true || search.new === 'true' || search.new === 1 ? true : undefined,
  }),
  loaderDeps: ({ search: { status, q } }) => ({ status, q }),
  loader: ({ context: { queryClient, orgId }, deps }) => {
    if (!orgId) return;
    void queryClient.prefetchQuery(chatModelsQuery(orgId));
    return queryClient.ensureQueryData(botsQuery(orgId, deps));
  },
  component: ChatbotsPage,
});

function ChatbotsPage() {
  const t = useT();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate({ from: Route.fullPath });
  const search = Route.useSearch();
  const canWrite = hasRole(org.role, 'admin');
  const filters = { status: search.status, q: search.q };
  // Typing refetches in place (previous cards stay) instead of flashing the route loader.
  const bots = useQuery({ ...botsQuery(org.id, filters), placeholderData: keepPreviousData });
  const filtered = !!(search.status || search.q);
  const [q, setQ] = useState(search.q ?? '');
  useEffect(() => {
    const next = q.trim() || undefined;
    if (next === search.q) return;
    const id = setTimeout(() => void navigate({ search: (prev) => ({ ...prev, q: next }), replace: true }), 300);
    return () => clearTimeout(id);
  }, [q, search.q, navigate]);

  const openWizard = (open: boolean) => void navigate({ search: (prev) => ({ ...prev, new: open || undefined }) });
  const createButton = canWrite && (
    <Button onClick={() => openWizard(true)}>
      <span aria-hidden="true">+</span> {t('bots.new')}
    </Button>
  );
  const list = bots.data ?? [];
  const nothingAtAll = !filtered && list.length === 0 && bots.isSuccess;

  return (
    <>
      <PageHeader title={t('bots.title')} description={t('bots.subtitle')} actions={!nothingAtAll && createButton} />
      {!canWrite && (
        <div className="mb-6">
          <Alert>{t('bots.readOnly', { role: t(`role.${org.role}`) })}</Alert>
        </div>
      )}
      {!nothingAtAll && (
        <div className="mb-5 flex flex-wrap items-end gap-3" role="search" aria-label={t('bots.filters')}>
          <TextField
            className="min-w-0 flex-1 basis-64"
            label={t('bots.search')}
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('bots.searchPlaceholder')}
          />
          <SelectField
            className="w-full sm:w-52"
            label={t('bots.statusFilter')}
            value={search.status ?? ''}
            onChange={(e) => void navigate({ search: (prev) => ({ ...prev, status: (e.target.value || undefined) as BotStatus | undefined }), replace: true })}
          >
            <option value="">{t('bots.allStatuses')}</option>
            {BOT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`bots.status.${s}`)}
              </option>
            ))}
          </SelectField>
        </div>
      )}
      {bots.isPending ? (
        <PageLoader />
      ) : bots.isError ? (
        <ErrorState message={errorMessage(bots.error)} onRetry={() => void bots.refetch()} />
      ) : nothingAtAll ? (
        <div className="rounded-xl bg-white p-2 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
          <EmptyState
            title={t('bots.emptyTitle')}
            description={canWrite ? t('bots.emptyDesc') : `${t('bots.emptyDesc')} ${t('bots.emptyViewer')}`}
            action={createButton}
          />
        </div>
      ) : list.length === 0 ? (
        <EmptyState
          title={t('bots.noMatches')}
          action={
            <Button
              variant="secondary"
              onClick={() => {
                setQ('');
                void navigate({ search: {} });
              }}
            >
              {t('bots.clearFilters')}
            </Button>
          }
        />
      ) : (
        <ul className="grid gap-4 md:grid-cols-2" aria-label={t('bots.title')} aria-busy={bots.isFetching || undefined}>
          {list.map((bot) => (
            <li key={bot.id}>
              <BotCard bot={bot} canWrite={canWrite} />
            </li>
          ))}
        </ul>
      )}
      {canWrite && <CreateBotWizard open={!!search.new} onClose={() => openWizard(false)} />}
    </>
  );
}

function BotCard({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const locale = useLocale();
  const modelLabel = useModelLabel();
  const { deploy, setStatus } = useBotMutations(bot);
  const [deleting, setDeleting] = useState(false);
  const headingId = `bot-${bot.id}`;
  return (
    <article
      aria-labelledby={headingId}
      className="flex h-full flex-col rounded-xl bg-white p-5 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800"
    >
      <div className="flex items-start gap-3">
        <BotIcon color={bot.widget?.primaryColor} />
        <div className="min-w-0 flex-1">
          <h2 id={headingId} className="truncate text-base font-semibold">
            <Link to="/chatbots/$botId" params={{ botId: bot.id }} className="hover:text-indigo-700 hover:underline dark:hover:text-indigo-300">
              {bot.name}
            </Link>
          </h2>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-zinc-500">
            <StatusBadge status={bot.status} />
            <span>{t(`bots.type.${bot.type}`)}</span>
          </p>
        </div>
        {canWrite && (
          <DropdownMenu
            label={t('bots.moreActions', { name: bot.name })}
            items={[
              { label: t('bots.pause'), onSelect: () => setStatus.mutate('inactive'), hidden: bot.status !== 'active' },
              { label: t('bots.resume'), onSelect: () => deploy.mutate(), hidden: bot.status !== 'inactive' },
              { label: t('bots.restore'), onSelect: () => setStatus.mutate('draft'), hidden: bot.status !== 'archived' },
              { label: t('bots.archive'), onSelect: () => setStatus.mutate('archived'), hidden: bot.status === 'archived' },
              { label: t('bots.delete'), onSelect: () => setDeleting(true), danger: true },
            ]}
          />
        )}
      </div>
      <p className="mt-3 line-clamp-2 flex-1 text-sm text-zinc-600 dark:text-zinc-400">
        {bot.description || <span className="text-zinc-400 italic">{t('bots.noDescription')}</span>}
      </p>
      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-2 border-t border-zinc-100 pt-3 text-sm dark:border-zinc-800">
        <div className="min-w-0">
          <dt className="text-xs text-zinc-500">{t('bots.modelLabel')}</dt>
          <dd className="font-medium break-words">{bot.type === 'auto' ? t('bots.type.auto') : modelLabel(bot.model)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">{t('bots.conversations')}</dt>
          <dd className="font-medium tabular-nums">{formatNumber(bot.conversationCount, locale)}</dd>
        </div>
      </dl>
      <div className="mt-4 flex flex-wrap gap-2">
        <Link
          to="/chatbots/$botId"
          params={{ botId: bot.id }}
          className="rounded-lg px-2.5 py-1.5 text-xs font-medium ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"
          aria-label={`${canWrite ? t('bots.edit') : t('bots.view')}: ${bot.name}`}
        >
          {canWrite ? t('bots.edit') : t('bots.view')}
        </Link>
        <Link
          to="/chatbots/$botId"
          params={{ botId: bot.id }}
          search={{ tab: 'playground' }}
          className="rounded-lg px-2.5 py-1.5 text-xs font-medium ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"
          aria-label={`${t('bots.test')}: ${bot.name}`}
        >
          {t('bots.test')}
        </Link>
        {canWrite && bot.status === 'draft' && (
          <Button size="sm" loading={deploy.isPending} onClick={() => deploy.mutate()} aria-label={`${t('bots.deploy')}: ${bot.name}`}>
            {t('bots.deploy')}
          </Button>
        )}
        {canWrite && bot.status === 'inactive' && (
          <Button size="sm" variant="secondary" loading={deploy.isPending} onClick={() => deploy.mutate()} aria-label={`${t('bots.resume')}: ${bot.name}`}>
            {t('bots.resume')}
          </Button>
        )}
      </div>
      {canWrite && <DeleteBotDialog bot={bot} open={deleting} onClose={() => setDeleting(false)} />}
    </article>
  );
}
