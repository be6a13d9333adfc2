/** Analytics and reports: types, queryOptions factories and the CSV download. */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, ApiError, getAccessToken, refreshAccessToken } from './api';
import type { ApiResponse, Schemas } from './api-contract';
import { getCurrentOrgId } from './org';
import { queryKeys } from './query-keys';
import { saveBlob } from './download';

// Playground chats are the team testing its bot: never counted, so never a filter.
export type AnalyticsChannel = Schemas['AnalyticsChannel']['channel'];
export const ANALYTICS_CHANNELS = ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api', 'email', 'slack', 'discord'] as const satisfies readonly AnalyticsChannel[];

export interface AnalyticsFilters {
  /** Local days (YYYY-MM-DD) in the organization's timezone; both default on the server (last 30 days). */
  from?: string;
  to?: string;
  botId?: string;
  channel?: AnalyticsChannel;
}

export type Summary = Schemas['AnalyticsSummary'];
export type AnalyticsOverview = ApiResponse<'/api/v1/analytics/overview'>;
export type KnowledgeGapList = ApiResponse<'/api/v1/analytics/knowledge-gaps'>;
export type KnowledgeGap = KnowledgeGapList['data'][number];
export type ModelReport = ApiResponse<'/api/v1/analytics/models'>;

function rangeQueryString(filters: AnalyticsFilters) {
  const qs = new URLSearchParams();
  if (filters.from) qs.set('from', filters.from);
  if (filters.to) qs.set('to', filters.to);
  if (filters.botId) qs.set('botIds', filters.botId);
  if (filters.channel) qs.set('channels', filters.channel);
  const query = qs.toString();
  return query ? `?${query}` : '';
}

export const analyticsApi = {
  overview: (filters: AnalyticsFilters) => `/api/v1/analytics/overview${rangeQueryString(filters)}`,
  knowledgeGaps: (filters: AnalyticsFilters) => `/api/v1/analytics/knowledge-gaps${rangeQueryString(filters)}`,
  models: (filters: AnalyticsFilters) => `/api/v1/analytics/models${rangeQueryString(filters)}`,
  customReport: '/api/v1/reports/custom',
};

/** Everything the Analytics page draws; today's numbers refresh every minute while it is open. */
export const analyticsOverviewQuery = (orgId: string, filters: AnalyticsFilters = {}) =>
  queryOptions({
    queryKey: queryKeys.analytics.overview(orgId, filters),
    queryFn: ({ signal }) => api<AnalyticsOverview>(analyticsApi.overview(filters), { orgId, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
    staleTime: 30_000,
  });

/**
 * The Overview page's numbers (last 30 days vs the 30 before, today so far): the same request
 * and cache entry as the Analytics page with no filters, so both always show the same figures.
 */
/**
 * The overview's counters: fetched again on every visit (the landing page must agree with the
 * inbox the agent just left), then every minute like Analytics.
 */
export const overviewNumbersQuery = (orgId: string) => queryOptions({ ...analyticsOverviewQuery(orgId, {}), staleTime: 0 });

/** Cost and quality per model (toolbox prices, thumbs, ratings, handoffs). */
export const modelReportQuery = (orgId: string, filters: AnalyticsFilters = {}) =>
  queryOptions({
    queryKey: queryKeys.analytics.models(orgId, filters),
    queryFn: ({ signal }) => api<ModelReport>(analyticsApi.models(filters), { orgId, signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export const knowledgeGapsQuery = (orgId: string, filters: AnalyticsFilters = {}) =>
  queryOptions({
    queryKey: queryKeys.analytics.knowledgeGaps(orgId, filters),
    queryFn: ({ signal }) => api<KnowledgeGapList>(analyticsApi.knowledgeGaps(filters), { orgId, signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

/** Relative change from `previous` to `current` (0.25 = +25 %); null when there is nothing to compare. */
export function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return (current - previous) / previous;
}

/** A custom report's range and grouping; the CSV format is added by the download. */
export type CsvReportRequest = Pick<Schemas['CustomReportRequest'], 'from' | 'to' | 'botIds' | 'channels' | 'groupBy'>;

/**
 * Downloads a custom report as CSV. `api()` reads JSON, so this is a plain fetch with the same
 * headers and the same single refresh-and-retry on an expired token.
 */
export async function downloadReportCsv(request: CsvReportRequest, orgId: string | null = getCurrentOrgId()) {
  const send = () =>
    fetch(analyticsApi.customReport, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'text/csv',
        'Content-Type': 'application/json',
        ...(getAccessToken() ? { Authorization: `Bearer ${getAccessToken()}` } : {}),
        ...(orgId ? { 'X-Organization-Id': orgId } : {}),
      },
      body: JSON.stringify({ ...request, format: 'csv' }),
    });
  let res = await send();
  if (res.status === 401 && (await refreshAccessToken())) res = await send();
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; requestId?: string } };
    throw new ApiError({ status: res.status, code: body.error?.code ?? `http_${res.status}`, message: body.error?.message ?? res.statusText, requestId: body.error?.requestId });
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `versaai-report-${request.from}-${request.to}.csv`;
  saveBlob(await res.blob(), name);
  return name;
}
