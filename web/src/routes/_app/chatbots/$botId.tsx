import { useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Alert, Button, cx, DropdownMenu, formatDate, formatNumber, PageLoader } from '../../../components/ui';
import { useLocale, useT } from '../../../lib/i18n';
import { botQuery, chatModelsQuery, hasRole, knowledgeBasesQuery } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';
import { HoursTab } from './-components/hours-tab';
import { InstallTab } from './-components/install-tab';
import { KnowledgeTab } from './-components/knowledge-tab';
import { ModelsTab } from './-components/models-tab';
import { PlaygroundTab } from './-components/playground-tab';
import { SettingsTab } from './-components/settings-tab';
import { BotIcon, DeleteBotDialog, StatusBadge, useBotMutations, useModelLabel } from './-components/shared';
import { WidgetTab } from './-components/widget-tab';

// The flow editor (canvas library and all) is its own chunk: only the Flow tab loads it.
const FlowTab = lazy(() => import('./-components/flows/flow-tab'));

const TABS = ['settings', 'knowledge', 'flow', 'models', 'widget', 'hours', 'playground', 'install'] as const;
type Tab = (typeof TABS)[number];

export const Route = createFileRoute('/_app/chatbots/$botId')({
  validateSearch: (search: Record<string, unknown>): { tab?: Tab } => ({
    tab: TABS.includes(search.tab as Tab) && search.tab !== 'settings' ? (search.tab as Tab) : undefined,
  }),
  loader: ({ context: { queryClient, orgId }, params: { botId } }) => {
    if (!orgId) return;
    void queryClient.prefetchQuery(chatModelsQuery(orgId));
    void queryClient.prefetchQuery(knowledgeBasesQuery(orgId));
    return queryClient.ensureQueryData(botQuery(orgId, botId));
  },
  component: BotPage,
});

const tabClass =
  'whitespace-nowrap border-b-2 border-transparent px-1 pb-3 text-sm font-medium text-zinc-500 hover:border-zinc-300 hover:text-zinc-700 dark:text-zinc-400 dark:hover:text-zinc-200';
const tabActive = 'border-indigo-600! text-indigo-600! dark:border-indigo-400! dark:text-indigo-400!';

function BotPage() {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const { botId } = Route.useParams();
  const tab = Route.useSearch().tab ?? 'settings';
  const { data: bot } = useSuspenseQuery(botQuery(org.id, botId));
  const canWrite = hasRole(org.role, 'admin');
  const modelLabel = useModelLabel();
  const { deploy, setStatus } = useBotMutations(bot);
  const [deleting, setDeleting] = useState(false);
  const navigate = Route.useNavigate();
  const tabsRef = useRef<HTMLElement>(null);
  // On a phone the tab strip scrolls; keep the current tab in view (e.g. after "Test" from the list).
  useEffect(() => {
    const nav = tabsRef.current;
    const current = nav?.querySelector('[aria-current="page"]');
    if (!nav || !current) return;
    const n = nav.getBoundingClientRect();
    const c = current.getBoundingClientRect();
    // Scroll the strip only, never the page.
    if (c.left < n.left || c.right > n.right) nav.scrollLeft += c.left - n.left - 16;
  }, [tab]);

  return (
    <>
      <nav aria-label={t('bots.breadcrumb')} className="mb-3 text-sm">
        <Link to="/chatbots" className="font-medium text-zinc-500 hover:text-zinc-800 dark:hover:text-zinc-200">
          ← {t('bots.title')}
        </Link>
      </nav>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-start gap-4">
          <BotIcon className="mt-0.5 hidden sm:flex" color={bot.widget?.primaryColor} />
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2">
              <h1 className="text-2xl font-semibold tracking-tight break-words">{bot.name}</h1>
              <StatusBadge status={bot.status} />
            </div>
            {bot.description && <p className="mt-1 max-w-2xl text-sm text-zinc-500 dark:text-zinc-400">{bot.description}</p>}
            <p className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
              <span>
                {t('bots.modelLabel')}:{' '}
                <span className="font-medium text-zinc-800 dark:text-zinc-200">{bot.type === 'auto' ? t('bots.type.auto') : modelLabel(bot.model)}</span>
              </span>
              <span aria-hidden="true" className="hidden sm:inline">
                ·
              </span>
              <span>{t('bots.conversationsCount', { count: formatNumber(bot.conversationCount, locale) })}</span>
              {bot.deployedAt && (
                <>
                  <span aria-hidden="true" className="hidden sm:inline">
                    ·
                  </span>
                  <span>{t('bots.deployedAt', { date: formatDate(bot.deployedAt, locale) })}</span>
                </>
              )}
            </p>
          </div>
        </div>
        {canWrite && (
          <div className="flex items-center gap-2">
            {(bot.status === 'draft' || bot.status === 'inactive') && (
              <Button loading={deploy.isPending} onClick={() => deploy.mutate()}>
                {bot.status === 'draft' ? t('bots.deploy') : t('bots.resume')}
              </Button>
            )}
            {bot.status === 'active' && (
              <Button variant="secondary" loading={setStatus.isPending} onClick={() => setStatus.mutate('inactive')}>
                {t('bots.pause')}
              </Button>
            )}
            {bot.status === 'archived' && (
              <Button variant="secondary" loading={setStatus.isPending} onClick={() => setStatus.mutate('draft')}>
                {t('bots.restore')}
              </Button>
            )}
            <DropdownMenu
              label={t('bots.moreActions', { name: bot.name })}
              items={[
                { label: t('bots.archive'), onSelect: () => setStatus.mutate('archived'), hidden: bot.status === 'archived' },
                { label: t('bots.delete'), onSelect: () => setDeleting(true), danger: true },
              ]}
            />
            <DeleteBotDialog bot={bot} open={deleting} onClose={() => setDeleting(false)} onDeleted={() => navigate({ to: '/chatbots' })} />
          </div>
        )}
      </div>
      {!canWrite && (
        <div className="mb-6">
          <Alert>{t('bots.readOnly', { role: t(`role.${org.role}`) })}</Alert>
        </div>
      )}
      <nav
        ref={tabsRef}
        aria-label={t('bots.sections', { name: bot.name })}
        className="mb-6 flex gap-6 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800"
      >
        {TABS.map((id) => (
          <Link
            key={id}
            to="/chatbots/$botId"
            params={{ botId }}
            search={{ tab: id === 'settings' ? undefined : id }}
            // Exact search match: otherwise the default tab (no `tab` param) counts as active on every tab.
            activeOptions={{ exact: true, includeSearch: true }}
            className={cx(tabClass, tab === id && tabActive)}
            aria-current={tab === id ? 'page' : undefined}
          >
            {t(`bots.tab.${id}`)}
          </Link>
        ))}
      </nav>
      {tab === 'settings' && <SettingsTab bot={bot} canWrite={canWrite} />}
      {tab === 'knowledge' && <KnowledgeTab bot={bot} canWrite={canWrite} />}
      {tab === 'flow' && (
        <Suspense fallback={<PageLoader />}>
          <FlowTab bot={bot} canWrite={canWrite} />
        </Suspense>
      )}
      {tab === 'models' && <ModelsTab bot={bot} canWrite={canWrite} />}
      {tab === 'widget' && <WidgetTab bot={bot} canWrite={canWrite} />}
      {tab === 'hours' && <HoursTab bot={bot} canWrite={canWrite} />}
      {tab === 'playground' && <PlaygroundTab bot={bot} />}
      {tab === 'install' && <InstallTab bot={bot} canWrite={canWrite} />}
    </>
  );
}
