import { createRoute } from '@hono/zod-openapi';
import { assistantsView, conversationsView, knowledgeGapsView, overviewView, performanceView, responseTimeView, satisfactionView } from '../core/analytics/views';
import { modelsView } from '../core/analytics/models';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';
import {
  AssistantsSchema,
  ConversationMetricsSchema,
  KnowledgeGapsQuerySchema,
  KnowledgeGapsSchema,
  ModelsReportSchema,
  OverviewSchema,
  PerformanceSchema,
  RangeQuerySchema,
  ResponseTimesSchema,
  SatisfactionSchema,
  rangeInput,
} from './analytics.schemas';

/**
 * /api/v1/analytics: reads for every member (viewer and up). Days are in the organization's
 * timezone, past days from the nightly roll-up, today live. `overview` carries everything the
 * dashboard page draws in one request; the other endpoints are focused views of the same numbers
 * (core/analytics/views.ts shapes each).
 */
export const analyticsRouter = createRouter();
analyticsRouter.use('*', authenticate, withOrg);

const tags = ['Analytics'];
const request = { headers: OrgHeaderSchema, query: RangeQuerySchema };

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/overview',
    tags,
    summary: 'Totals, the previous period, today, daily series, and breakdowns by assistant and channel',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(OverviewSchema, 'The overview'), ...protectedErrors },
  }),
  async (c) => c.json(await overviewView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/conversations',
    tags,
    summary: 'Conversations, messages, contacts, resolution and handoffs per day and channel',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(ConversationMetricsSchema, 'Conversation metrics'), ...protectedErrors },
  }),
  async (c) => c.json(await conversationsView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/performance',
    tags,
    summary: 'Response times, failed answers, knowledge gaps, tokens and estimated cost per model',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(PerformanceSchema, 'Performance metrics'), ...protectedErrors },
  }),
  async (c) => c.json(await performanceView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/response-time',
    tags,
    summary: 'First-response, bot, human and first-token times, with bot percentiles and histogram',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(ResponseTimesSchema, 'Response times'), ...protectedErrors },
  }),
  async (c) => c.json(await responseTimeView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/user-satisfaction',
    tags,
    summary: 'Ratings (1-5) and thumbs: averages, distribution, per day and per assistant',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(SatisfactionSchema, 'Satisfaction'), ...protectedErrors },
  }),
  async (c) => c.json(await satisfactionView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/assistants',
    tags,
    summary: 'Every assistant\u2019s metrics over the range, busiest first',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(AssistantsSchema, 'Per assistant'), ...protectedErrors },
  }),
  async (c) => c.json(await assistantsView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/knowledge-gaps',
    tags,
    summary: 'Questions the assistants could not answer from their knowledge, grouped, most asked first',
    description:
      'An answer is a gap when the fallback message was used or no knowledge passage scored above the bot\u2019s threshold. Questions are grouped by their content words (accents, punctuation and word order ignored). The newest 2000 gaps of the range are grouped; `truncated` says when there were more.',
    security: bearerSecurity,
    request: { ...request, query: KnowledgeGapsQuerySchema },
    responses: { 200: jsonContent(KnowledgeGapsSchema, 'Knowledge gaps'), ...protectedErrors },
  }),
  async (c) => {
    const query = c.req.valid('query');
    return c.json(await knowledgeGapsView(c.get('services'), c.get('org').organizationId, rangeInput(query), query.limit), 200);
  },
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/models',
    tags,
    summary: 'Cost and quality per model: tokens and cost, thumbs, ratings and handoffs of the conversations it answered in',
    description: 'Cost uses the prices a bot set in its toolbox (`/chatbots/{id}/models`) and list prices otherwise. Read live from the messages of the range.',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(ModelsReportSchema, 'Per model'), ...protectedErrors },
  }),
  async (c) => c.json(await modelsView(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query'))), 200),
);
