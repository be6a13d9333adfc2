import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isDay, type Period } from '../core/analytics/dates';
import { CHANNELS } from '../core/analytics/metrics';
import { customReport, customReportCsv, periodReport, periodReportCsv } from '../core/analytics/reports';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';
import { BotSummarySchema, ChannelSummarySchema, DaySummarySchema, FormatSchema, ModelUsageSchema, ReportMetricSchema, SummarySchema } from './analytics.schemas';

/**
 * Reports for every member (viewer and up): the day, ISO week or month containing `date` (by
 * default the last complete one), and custom ones. `format=csv` answers a spreadsheet-ready file.
 */
export const reportsRouter = createRouter();
reportsRouter.use('*', authenticate, withOrg);

const tags = ['Reports'];

function csvResponse(c: Context<AppEnv>, csv: string, name: string) {
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}.csv"`,
    'Cache-Control': 'no-store',
  });
}

const PeriodReportSchema = z
  .object({
    period: z.enum(['daily', 'weekly', 'monthly']),
    from: z.string(),
    to: z.string(),
    timezone: z.string(),
    complete: z.boolean().openapi({ description: 'False while the period is still running' }),
    totals: SummarySchema,
    byDay: z.array(DaySummarySchema),
    byBot: z.array(BotSummarySchema),
    byChannel: z.array(ChannelSummarySchema),
    models: ModelUsageSchema,
  })
  .openapi('PeriodReport');

function periodRoute(period: Period, description: string) {
  reportsRouter.openapi(
    createRoute({
      method: 'get',
      path: `/${period}`,
      tags,
      summary: description,
      description:
        'JSON, or with `format=csv` one line per day, assistant and channel with activity (columns: day, botId, botName, channel, then every metric).',
      security: bearerSecurity,
      request: {
        headers: OrgHeaderSchema,
        query: z.object({
          date: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-03-01')
            .optional()
            .openapi({ description: 'Any day inside the period; default: the last complete period', example: '2026-03-10' }),
          format: FormatSchema,
        }),
      },
      responses: {
        200: {
          description: 'The report',
          content: { 'application/json': { schema: PeriodReportSchema }, 'text/csv': { schema: z.string() } },
        },
        ...protectedErrors,
      },
    }),
    async (c) => {
      const { date, format } = c.req.valid('query');
      if (date !== undefined && !isDay(date)) {
        throw new ApiError('validation_failed', 'Not a calendar day', { details: [{ path: 'date', message: 'Not a calendar day', code: 'custom' }] });
      }
      const { db } = c.get('services');
      const { organizationId } = c.get('org');
      const { report, rows } = await periodReport(c.get('services'), organizationId, period, date);
      if (format === 'csv') return csvResponse(c, await periodReportCsv(db, organizationId, rows), `versaai-${period}-${report.from}`);
      return c.json(report, 200);
    },
  );
}

periodRoute('daily', 'Daily report');
periodRoute('weekly', 'Weekly report (ISO week, Monday to Sunday)');
periodRoute('monthly', 'Monthly report');

const CustomReportRequestSchema = z
  .object({
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-03-01').openapi({ format: 'date', example: '2026-03-01' }),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-03-31').openapi({ format: 'date', example: '2026-03-31' }),
    botIds: z.array(z.uuid()).max(50).optional().openapi({ description: 'Only these chatbots' }),
    channels: z.array(z.enum(CHANNELS)).optional().openapi({ description: 'Only these channels' }),
    metrics: z.array(ReportMetricSchema).min(1).optional().openapi({ description: 'Columns to include, in this order; default all' }),
    groupBy: z.enum(['day', 'week', 'month', 'bot', 'channel', 'total']).default('day'),
    format: FormatSchema,
  })
  .openapi('CustomReportRequest');

const CustomReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    timezone: z.string(),
    groupBy: z.string(),
    botIds: z.array(z.uuid()),
    channels: z.array(z.string()),
    metrics: z.array(ReportMetricSchema),
    rows: z.array(
      z.object({
        key: z.string().openapi({ description: 'Day, week start (Monday), month (YYYY-MM), bot id, channel or "total"' }),
        label: z.string().openapi({ description: 'The bot\u2019s name when grouped by bot; otherwise the key' }),
        values: z.record(z.string(), z.number().nullable()),
      }),
    ),
    totals: z.record(z.string(), z.number().nullable()),
  })
  .openapi('CustomReport');

reportsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/custom',
    tags,
    summary: 'Custom report: date range, assistants, channels, metrics and grouping; JSON or CSV',
    description: 'With `format: "csv"`, a file whose columns are the group (botId and botName when grouped by bot), then the chosen metrics.',
    // Reads only: viewers may run reports (the security suite treats it as a read).
    'x-read-only': true,
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, body: jsonBody(CustomReportRequestSchema) },
    responses: {
      200: { description: 'The report', content: { 'application/json': { schema: CustomReportSchema }, 'text/csv': { schema: z.string() } } },
      ...protectedErrors,
    },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const report = await customReport(c.get('services'), c.get('org').organizationId, input);
    if (input.format === 'csv') return csvResponse(c, customReportCsv(report), `versaai-report-${report.from}-${report.to}`);
    return c.json(report, 200);
  },
);
