import { useQuery } from '@tanstack/react-query';
import { createFileRoute, useNavigate } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { useToast } from '../../components/toast';
import { Button, Card, cx, EmptyState, ErrorState, PageHeader, PageLoader, SelectField, TextField } from '../../components/ui';
import { useErrorMessage, useLocale, useT } from '../../lib/i18n';
import { botsQuery } from '../../lib/queries';
import {
  ANALYTICS_CHANNELS,
  analyticsOverviewQuery,
  change,
  downloadReportCsv,
  knowledgeGapsQuery,
  modelReportQuery,
  type AnalyticsChannel,
  type AnalyticsFilters,
  type AnalyticsOverview,
} from '../../lib/queries-analytics';
import { useOrg } from '../../lib/use-org';
import { RouteError } from '../-components/route-error';
import { ActivityChart, ChannelChart, LatencyChart, RatingChart, ResolutionChart } from './-components/analytics/charts';
import { addDays, formatCompact, formatDay, formatMs, formatPercent, formatUsd, localToday } from './-components/analytics/format';
import { KnowledgeGapsCard } from './-components/analytics/gaps';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRESETS = [7, 30, 90] as const;

interface AnalyticsSearch {
  from?: string;
  to?: string;
  bot?: string;
  channel?: AnalyticsChannel;
}

const filtersOf = (search: AnalyticsSearch): AnalyticsFilters => ({ from: search.from, to: search.to, botId: search.bot, channel: search.channel });

export const Route = createFileRoute('/_app/analytics')({
  validateSearch: (search: Record<string, unknown>): AnalyticsSearch => {
    const day = (v: unknown) => (typeof v === 'string' && DAY.test(v) ? v : undefined);
    const from = day(search.from);
    const to = day(search.to);
    return {
      // A reversed range from a hand-edited URL falls back to the default instead of an error page.
      ...(from && to && from > to ? {} : { from, to }),
      bot: typeof search.bot === 'string' && UUID.test(search.bot) ? search.bot : undefined,
      channel: ANALYTICS_CHANNELS.includes(search.channel as AnalyticsChannel) ? (search.channel as AnalyticsChannel) : undefined,
    };
  },
  loaderDeps: ({ search }) => filtersOf(search),
  loader: ({ context: { queryClient, orgId }, deps }) => {
    if (!orgId) return;
    void queryClient.prefetchQuery(botsQuery(orgId));
    void queryClient.prefetchQuery(knowledgeGapsQuery(orgId, deps));
    return queryClient.ensureQueryData(analyticsOverviewQuery(orgId, deps));
  },
  errorComponent: RouteError,
  component: AnalyticsPage,
});

function AnalyticsPage() {
  const t = useT();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const search = Route.useSearch();
  const filters = filtersOf(search);
  const overview = useQuery(analyticsOverviewQuery(org.id, filters));
  const bots = useQuery(botsQuery(org.id));
  const botNames = new Map((bots.data ?? []).map((b) => [b.id, b.name]));

  return (
    <>
      <PageHeader
        title={t('nav.analytics')}
        description={t('analytics.subtitle', { timezone: org.timezone })}
        actions={overview.data && <ExportButton data={overview.data} filters={filters} />}
      />
      <FilterBar search={search} bots={bots.data ?? []} />
      {overview.isPending ? (
        <PageLoader />
      ) : overview.isError ? (
        <ErrorState message={errorMessage(overview.error)} onRetry={() => void overview.refetch()} />
      ) : (
        <div className={cx('space-y-6 transition-opacity', overview.isPlaceholderData && 'opacity-60')} aria-busy={overview.isFetching || undefined}>
          <Dashboard data={overview.data} filters={filters} />
          <KnowledgeGapsCard filters={filters} botNames={botNames} />
        </div>
      )}
    </>
  );
}

function FilterBar({ search, bots }: { search: AnalyticsSearch; bots: Array<{ id: string; name: string }> }) {
  const t = useT();
  const org = useOrg();
  const navigate = useNavigate({ from: Route.fullPath });
  const today = localToday(org.timezone);
  const to = search.to ?? today;
  const from = search.from ?? addDays(to, -29);
  const activePreset = search.to === undefined || search.to === today ? PRESETS.find((days) => addDays(today, -(days - 1)) === from) : undefined;
  const set = (patch: Partial<AnalyticsSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  return (
    <div className="mb-6 flex flex-col gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-zinc-200 lg:flex-row lg:flex-wrap lg:items-end dark:bg-zinc-900 dark:ring-zinc-800">
      <div role="group" aria-label={t('analytics.range')} className="flex flex-wrap gap-1 self-start lg:self-end">
        {PRESETS.map((days) => (
          <button
            key={days}
            type="button"
            aria-pressed={activePreset === days}
            onClick={() => set(days === 30 ? { from: undefined, to: undefined } : { from: addDays(today, -(days - 1)), to: undefined })}
            className={cx(
              'rounded-lg px-3 py-2 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600',
              activePreset === days
                ? 'bg-indigo-600 text-white'
                : 'text-zinc-700 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800',
            )}
          >
            {t('analytics.lastDays', { days })}
          </button>
        ))}
      </div>
      <div className="grid grid-cols-2 gap-3 sm:flex sm:flex-wrap sm:items-end">
        <TextField
          type="date"
          label={t('analytics.from')}
          value={from}
          max={to}
          onChange={(e) => DAY.test(e.target.value) && e.target.value <= to && set({ from: e.target.value, to: search.to })}
        />
        <TextField
          type="date"
          label={t('analytics.to')}
          value={to}
          min={from}
          max={today}
          onChange={(e) => DAY.test(e.target.value) && e.target.value >= from && set({ from, to: e.target.value === today ? undefined : e.target.value })}
        />
        <SelectField label={t('analytics.assistant')} value={search.bot ?? ''} onChange={(e) => set({ bot: e.target.value || undefined })}>
          <option value="">{t('analytics.allAssistants')}</option>
          {bots.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('analytics.channel')} value={search.channel ?? ''} onChange={(e) => set({ channel: (e.target.value || undefined) as AnalyticsChannel | undefined })}>
          <option value="">{t('analytics.allChannels')}</option>
          {ANALYTICS_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {t(`analytics.channel.${c}`)}
            </option>
          ))}
        </SelectField>
      </div>
    </div>
  );
}

function ExportButton({ data, filters }: { data: AnalyticsOverview; filters: AnalyticsFilters }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      loading={pending}
      onClick={async () => {
        setPending(true);
        try {
          const name = await downloadReportCsv({
            from: data.from,
            to: data.to,
            botIds: filters.botId ? [filters.botId] : undefined,
            channels: filters.channel ? [filters.channel] : undefined,
            groupBy: 'day',
          });
          toast.success(t('analytics.exported', { name }));
        } catch (error) {
          toast.error(errorMessage(error));
        } finally {
          setPending(false);
        }
      }}
    >
      <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
        <path d="M10.75 2.75a.75.75 0 0 0-1.5 0v8.614L6.295 8.235a.75.75 0 1 0-1.09 1.03l4.25 4.5a.75.75 0 0 0 1.09 0l4.25-4.5a.75.75 0 0 0-1.09-1.03l-2.955 3.129V2.75Z" />
        <path d="M3.5 12.75a.75.75 0 0 0-1.5 0v2.5A2.75 2.75 0 0 0 4.75 18h10.5A2.75 2.75 0 0 0 18 15.25v-2.5a.75.75 0 0 0-1.5 0v2.5c0 .69-.56 1.25-1.25 1.25H4.75c-.69 0-1.25-.56-1.25-1.25v-2.5Z" />
      </svg>
      {t('analytics.exportCsv')}
    </Button>
  );
}

function Dashboard({ data, filters }: { data: AnalyticsOverview; filters: AnalyticsFilters }) {
  const t = useT();
  const locale = useLocale();
  const { totals, previous } = data;
  const number = (n: number | null) => formatCompact(n, locale);
  const quiet = totals.conversations === 0 && totals.messages === 0;

  return (
    <>
      <p className="text-sm text-zinc-500 dark:text-zinc-400">
        {t('analytics.period', { from: formatDay(data.from, locale, true), to: formatDay(data.to, locale, true) })}
        {data.today && (
          <>
            {' · '}
            {t('analytics.todaySoFar', { conversations: number(data.today.conversations), messages: number(data.today.messages) })}
          </>
        )}
      </p>
      <section aria-label={t('analytics.keyFigures')} className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi label={t('analytics.conversations')} value={number(totals.conversations)} delta={change(totals.conversations, previous.totals.conversations)} />
        <Kpi label={t('analytics.messages')} value={number(totals.messages)} delta={change(totals.messages, previous.totals.messages)} />
        <Kpi label={t('analytics.uniqueContacts')} value={number(totals.uniqueContacts)} hint={t('analytics.uniqueContactsHint')} delta={change(totals.uniqueContacts, previous.totals.uniqueContacts)} />
        <Kpi
          label={t('analytics.botResolution')}
          value={formatPercent(totals.botResolutionRate, locale)}
          hint={t('analytics.handoffRate', { rate: formatPercent(totals.handoffRate, locale) })}
        />
        <Kpi
          label={t('analytics.firstResponse')}
          value={formatMs(totals.avgFirstResponseMs, locale)}
          hint={
            totals.avgHumanResponseMs === null ? t('analytics.noHumanResponses') : t('analytics.humanResponse', { time: formatMs(totals.avgHumanResponseMs, locale) })
          }
          delta={change(totals.avgFirstResponseMs, previous.totals.avgFirstResponseMs)}
          lowerIsBetter
        />
        <Kpi
          label={t('analytics.satisfaction')}
          value={totals.avgRating === null ? '—' : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(totals.avgRating)} / 5`}
          hint={t('analytics.ratingsCount', { count: number(totals.ratingsCount), up: number(totals.thumbsUp), down: number(totals.thumbsDown) })}
        />
        <Kpi label={t('analytics.knowledgeGaps')} value={number(totals.knowledgeGaps)} hint={t('analytics.failedAnswers', { count: number(totals.failedAnswers) })} />
        <Kpi
          label={t('analytics.cost')}
          value={formatUsd(totals.costUsd, locale)}
          hint={t('analytics.tokens', { count: number(totals.inputTokens + totals.outputTokens) })}
          delta={change(totals.costUsd, previous.totals.costUsd)}
          lowerIsBetter
        />
      </section>

      {quiet ? (
        <EmptyState title={t('analytics.emptyTitle')} description={t('analytics.emptyDesc')} />
      ) : (
        <>
          <Card title={t('analytics.activityTitle')} description={t('analytics.activityDesc')}>
            <ActivityChart series={data.series} />
          </Card>
          <div className="grid gap-6 xl:grid-cols-2">
            <Card title={t('analytics.resolutionTitle')} description={t('analytics.resolutionDesc')}>
              <ResolutionChart series={data.series} />
            </Card>
            <Card title={t('analytics.channelsTitle')}>
              <ChannelChart byChannel={data.byChannel} />
            </Card>
            <Card title={t('analytics.satisfactionTitle')} description={t('analytics.satisfactionDesc', { rate: formatPercent(totals.satisfactionRate, locale) })}>
              <RatingChart distribution={totals.ratingDistribution} />
              <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
                {t('analytics.thumbs', { up: number(totals.thumbsUp), down: number(totals.thumbsDown), rate: formatPercent(totals.thumbsUpRate, locale) })}
              </p>
            </Card>
            <Card title={t('analytics.responseTitle')} description={t('analytics.responseDesc')}>
              <dl className="mb-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
                {(['p50', 'p90', 'p95', 'p99'] as const).map((p) => (
                  <div key={p} className="rounded-lg bg-zinc-50 px-3 py-2 dark:bg-zinc-800/60">
                    <dt className="text-xs text-zinc-500 uppercase dark:text-zinc-400">{p}</dt>
                    <dd className="font-semibold tabular-nums">{formatMs(totals.responseTime[p], locale)}</dd>
                  </div>
                ))}
              </dl>
              <LatencyChart histogram={data.histogram} />
              <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
                {t('analytics.averages', {
                  bot: formatMs(totals.avgBotResponseMs, locale),
                  human: formatMs(totals.avgHumanResponseMs, locale),
                  token: formatMs(totals.avgFirstTokenMs, locale),
                })}
              </p>
            </Card>
          </div>
          <AssistantsTable data={data} />
          {data.models.length > 0 && <ModelsTable filters={filters} />}
        </>
      )}
    </>
  );
}

function Kpi({ label, value, hint, delta, lowerIsBetter }: { label: string; value: ReactNode; hint?: string; delta?: number | null; lowerIsBetter?: boolean }) {
  const t = useT();
  const locale = useLocale();
  const good = delta != null && (lowerIsBetter ? delta < 0 : delta > 0);
  return (
    <div className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <p className="text-sm text-zinc-500 dark:text-zinc-400">{label}</p>
      <p className="mt-1 flex flex-wrap items-baseline gap-x-2 text-2xl font-semibold tabular-nums">
        {value}
        {delta != null && Number.isFinite(delta) && delta !== 0 && (
          <span
            className={cx('text-xs font-medium', good ? 'text-emerald-600 dark:text-emerald-400' : 'text-rose-600 dark:text-rose-400')}
            title={t('analytics.vsPrevious')}
          >
            {delta > 0 ? '▲' : '▼'} {new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(Math.abs(delta))}
            <span className="sr-only"> {t('analytics.vsPrevious')}</span>
          </span>
        )}
      </p>
      {hint && <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
    </div>
  );
}

const th = 'px-3 py-2 text-left text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400';
const td = 'px-3 py-2 tabular-nums';

function AssistantsTable({ data }: { data: AnalyticsOverview }) {
  const t = useT();
  const locale = useLocale();
  const number = (n: number | null) => formatCompact(n, locale);
  const busiest = Math.max(1, ...data.byBot.map((b) => b.conversations));
  return (
    <Card title={t('analytics.assistantsTitle')}>
      <div className="-mx-5 -my-5 overflow-x-auto">
        <table className="min-w-full text-sm">
          <thead className="border-b border-zinc-100 dark:border-zinc-800">
            <tr>
              <th scope="col" className={th}>{t('analytics.assistant')}</th>
              <th scope="col" className={th}>{t('analytics.conversations')}</th>
              <th scope="col" className={th}>{t('analytics.messages')}</th>
              <th scope="col" className={th}>{t('analytics.botResolution')}</th>
              <th scope="col" className={th}>{t('analytics.avgBotResponse')}</th>
              <th scope="col" className={th}>{t('analytics.satisfaction')}</th>
              <th scope="col" className={th}>{t('analytics.knowledgeGaps')}</th>
              <th scope="col" className={th}>{t('analytics.cost')}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {data.byBot.map((bot) => (
              <tr key={bot.botId}>
                <th scope="row" className="px-3 py-2 text-left font-medium">
                  {bot.name}
                </th>
                <td className={td}>
                  <div className="flex items-center gap-2">
                    <span className="w-10 text-right">{number(bot.conversations)}</span>
                    <span className="hidden h-1.5 w-24 overflow-hidden rounded-full bg-zinc-100 sm:block dark:bg-zinc-800" aria-hidden="true">
                      <span className="block h-full rounded-full bg-indigo-500" style={{ width: `${(bot.conversations / busiest) * 100}%` }} />
                    </span>
                  </div>
                </td>
                <td className={td}>{number(bot.messages)}</td>
                <td className={td}>{formatPercent(bot.botResolutionRate, locale)}</td>
                <td className={td}>{formatMs(bot.avgBotResponseMs, locale)}</td>
                <td className={td}>{bot.avgRating === null ? '—' : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bot.avgRating)} / 5`}</td>
                <td className={td}>{number(bot.knowledgeGaps)}</td>
                <td className={td}>{formatUsd(bot.costUsd, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** Cost and quality per model: what the toolbox's routing is judged by. */
function ModelsTable({ filters }: { filters: AnalyticsFilters }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const report = useQuery(modelReportQuery(org.id, filters));
  const number = (n: number) => formatCompact(n, locale);
  const rows = report.data?.data ?? [];
  if (rows.length === 0) return null;
  return (
    <Card title={t('analytics.modelsTitle')} description={t('analytics.modelsDesc')}>
      <div className="-mx-5 -my-5 overflow-x-auto">
        <table className="min-w-full text-sm">
          <thead className="border-b border-zinc-100 dark:border-zinc-800">
            <tr>
              <th scope="col" className={th}>{t('analytics.model')}</th>
              <th scope="col" className={th}>{t('analytics.answers')}</th>
              <th scope="col" className={th}>{t('analytics.inputTokens')}</th>
              <th scope="col" className={th}>{t('analytics.outputTokens')}</th>
              <th scope="col" className={th}>{t('analytics.cost')}</th>
              <th scope="col" className={th}>{t('analytics.costPerAnswer')}</th>
              <th scope="col" className={th}>{t('analytics.modelThumbs')}</th>
              <th scope="col" className={th}>{t('analytics.modelRating')}</th>
              <th scope="col" className={th}>{t('analytics.modelHandoffs')}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {rows.map((m) => (
              <tr key={m.model}>
                <th scope="row" className="px-3 py-2 text-left font-mono text-xs font-medium">
                  {m.model}
                  {Object.keys(m.tasks).length > 0 && (
                    <span className="block font-sans text-xs font-normal text-zinc-500 dark:text-zinc-400">
                      {Object.entries(m.tasks)
                        .map(([task, count]) => `${task} ${number(count)}`)
                        .join(' · ')}
                    </span>
                  )}
                </th>
                <td className={td}>{number(m.messages)}</td>
                <td className={td}>{number(m.inputTokens)}</td>
                <td className={td}>{number(m.outputTokens)}</td>
                <td className={td}>{m.priced ? formatUsd(m.costUsd, locale) : t('analytics.unpriced')}</td>
                <td className={td}>{m.priced ? formatUsd(m.costPerAnswerUsd, locale) : '—'}</td>
                <td className={td}>
                  👍 {number(m.thumbsUp)} · 👎 {number(m.thumbsDown)}
                </td>
                <td className={td}>{m.avgRating === null ? '—' : m.avgRating.toLocaleString(locale)}</td>
                <td className={td}>{formatPercent(m.handoffRate, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
