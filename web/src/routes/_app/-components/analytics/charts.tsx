/**
 * The analytics charts (Recharts, loaded only with this route). Colours work on light and dark
 * backgrounds; axes and grid take the text colour, so they follow the theme. Each chart has a
 * text summary for screen readers; the numbers are also in the tables and the CSV export. No
 * animation: the page refreshes every minute, and bars growing each time would only distract.
 */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLocale, useT } from '../../../../lib/i18n';
import type { AnalyticsOverview } from '../../../../lib/queries-analytics';
import { formatDay, formatMs } from './format';

export const SERIES_COLORS = { indigo: '#6366f1', emerald: '#10b981', amber: '#f59e0b', rose: '#f43f5e', sky: '#0ea5e9' };

interface TooltipRow {
  name?: string | number;
  value?: unknown;
  color?: string;
}

function ChartTooltip({ active, payload, label, formatLabel, formatValue }: {
  active?: boolean;
  payload?: readonly TooltipRow[];
  label?: string | number;
  formatLabel?: (label: string) => string;
  formatValue?: (value: number) => string;
}) {
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded-lg bg-white px-3 py-2 text-xs shadow-lg ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-700">
      {label !== undefined && <p className="mb-1 font-medium text-zinc-900 dark:text-zinc-100">{formatLabel ? formatLabel(String(label)) : label}</p>}
      <ul className="space-y-0.5">
        {payload.map((row) => (
          <li key={String(row.name)} className="flex items-center gap-2 text-zinc-600 dark:text-zinc-300">
            <span className="size-2 rounded-full" style={{ background: row.color }} aria-hidden="true" />
            {row.name}: <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">{formatValue ? formatValue(Number(row.value)) : String(row.value)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ChartFrame({ summary, height = 260, children }: { summary: string; height?: number; children: ReactNode }) {
  return (
    <figure className="text-zinc-500 dark:text-zinc-400" style={{ height }}>
      <figcaption className="sr-only">{summary}</figcaption>
      <ResponsiveContainer width="100%" height="100%">
        {children as never}
      </ResponsiveContainer>
    </figure>
  );
}

const axis = { stroke: 'currentColor', tick: { fill: 'currentColor', fontSize: 12 }, tickLine: false, axisLine: false } as const;
const grid = { stroke: 'currentColor', strokeOpacity: 0.15, vertical: false } as const;

export function ActivityChart({ series }: { series: AnalyticsOverview['series'] }) {
  const t = useT();
  const locale = useLocale();
  const number = new Intl.NumberFormat(locale);
  const data = series.map((d) => ({ day: d.day, conversations: d.conversations, messages: d.messages, contacts: d.uniqueContacts }));
  const total = series.reduce((sum, d) => sum + d.conversations, 0);
  return (
    <ChartFrame summary={t('analytics.activitySummary', { conversations: number.format(total), days: series.length })}>
      <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid {...grid} />
        <XAxis dataKey="day" {...axis} tickFormatter={(d: string) => formatDay(d, locale)} minTickGap={24} />
        <YAxis {...axis} allowDecimals={false} width={56} />
        <Tooltip content={(props) => <ChartTooltip {...props} formatLabel={(d) => formatDay(d, locale, true)} formatValue={(v) => number.format(v)} />} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line isAnimationActive={false} type="monotone" dataKey="conversations" name={t('analytics.conversations')} stroke={SERIES_COLORS.indigo} strokeWidth={2} dot={false} />
        <Line isAnimationActive={false} type="monotone" dataKey="messages" name={t('analytics.messages')} stroke={SERIES_COLORS.emerald} strokeWidth={2} dot={false} />
        <Line isAnimationActive={false} type="monotone" dataKey="contacts" name={t('analytics.uniqueContacts')} stroke={SERIES_COLORS.amber} strokeWidth={2} dot={false} />
      </LineChart>
    </ChartFrame>
  );
}

export function ResolutionChart({ series }: { series: AnalyticsOverview['series'] }) {
  const t = useT();
  const locale = useLocale();
  const number = new Intl.NumberFormat(locale);
  const data = series.map((d) => ({ day: d.day, bot: d.botResolved, handoffs: d.handoffs, open: Math.max(0, d.conversations - d.botResolved - d.handoffs) }));
  return (
    <ChartFrame summary={t('analytics.resolutionSummary')} height={220}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid {...grid} />
        <XAxis dataKey="day" {...axis} tickFormatter={(d: string) => formatDay(d, locale)} minTickGap={24} />
        <YAxis {...axis} allowDecimals={false} width={56} />
        <Tooltip cursor={{ fillOpacity: 0.08 }} content={(props) => <ChartTooltip {...props} formatLabel={(d) => formatDay(d, locale, true)} formatValue={(v) => number.format(v)} />} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar isAnimationActive={false} dataKey="bot" stackId="a" name={t('analytics.botResolved')} fill={SERIES_COLORS.emerald} />
        <Bar isAnimationActive={false} dataKey="handoffs" stackId="a" name={t('analytics.handoffs')} fill={SERIES_COLORS.amber} />
        <Bar isAnimationActive={false} dataKey="open" stackId="a" name={t('analytics.otherConversations')} fill={SERIES_COLORS.indigo} fillOpacity={0.35} />
      </BarChart>
    </ChartFrame>
  );
}

export function ChannelChart({ byChannel }: { byChannel: AnalyticsOverview['byChannel'] }) {
  const t = useT();
  const locale = useLocale();
  const number = new Intl.NumberFormat(locale);
  const data = byChannel.map((c) => ({ channel: t(`analytics.channel.${c.channel}`), conversations: c.conversations, messages: c.messages }));
  const summary = data.map((d) => `${d.channel}: ${number.format(d.conversations)}`).join(', ');
  return (
    <ChartFrame summary={summary} height={Math.max(120, data.length * 44 + 40)}>
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid {...grid} horizontal={false} vertical />
        <XAxis type="number" {...axis} allowDecimals={false} />
        <YAxis type="category" dataKey="channel" {...axis} width={88} />
        <Tooltip cursor={{ fillOpacity: 0.08 }} content={(props) => <ChartTooltip {...props} formatValue={(v) => number.format(v)} />} />
        <Bar isAnimationActive={false} dataKey="conversations" name={t('analytics.conversations')} fill={SERIES_COLORS.indigo} radius={[0, 4, 4, 0]} />
      </BarChart>
    </ChartFrame>
  );
}

const STAR_COLORS = [SERIES_COLORS.rose, '#fb923c', SERIES_COLORS.amber, '#84cc16', SERIES_COLORS.emerald];

export function RatingChart({ distribution }: { distribution: Record<string, number> }) {
  const t = useT();
  const locale = useLocale();
  const number = new Intl.NumberFormat(locale);
  const data = [1, 2, 3, 4, 5].map((star) => ({ star: '★'.repeat(star), label: t('analytics.stars', { count: star }), count: distribution[String(star)] ?? 0 }));
  return (
    <ChartFrame summary={data.map((d) => `${d.label}: ${number.format(d.count)}`).join(', ')} height={200}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid {...grid} />
        <XAxis dataKey="star" {...axis} />
        <YAxis {...axis} allowDecimals={false} width={56} />
        <Tooltip cursor={{ fillOpacity: 0.08 }} content={(props) => <ChartTooltip {...props} formatValue={(v) => number.format(v)} />} />
        <Bar isAnimationActive={false} dataKey="count" name={t('analytics.ratings')} radius={[4, 4, 0, 0]}>
          {data.map((d, i) => (
            <Cell key={d.star} fill={STAR_COLORS[i]} />
          ))}
        </Bar>
      </BarChart>
    </ChartFrame>
  );
}

export function LatencyChart({ histogram }: { histogram: AnalyticsOverview['histogram'] }) {
  const t = useT();
  const locale = useLocale();
  const number = new Intl.NumberFormat(locale);
  const data = histogram.map((b, i) => ({
    bucket: b.upToMs === null ? `≥ ${formatMs(histogram[i - 1]?.upToMs ?? 0, locale)}` : `≤ ${formatMs(b.upToMs, locale)}`,
    count: b.count,
  }));
  return (
    <ChartFrame summary={data.map((d) => `${d.bucket}: ${number.format(d.count)}`).join(', ')} height={220}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid {...grid} />
        <XAxis dataKey="bucket" {...axis} interval={0} angle={-30} textAnchor="end" height={48} />
        <YAxis {...axis} allowDecimals={false} width={56} />
        <Tooltip cursor={{ fillOpacity: 0.08 }} content={(props) => <ChartTooltip {...props} formatValue={(v) => number.format(v)} />} />
        <Bar isAnimationActive={false} dataKey="count" name={t('analytics.answers')} fill={SERIES_COLORS.sky} radius={[4, 4, 0, 0]} />
      </BarChart>
    </ChartFrame>
  );
}
