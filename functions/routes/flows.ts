import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { flowAnalytics } from '../core/flows/analytics';
import { createFlow, deleteFlow, findFlow, getVersion, listFlows, listVersions, publicFlow, publishFlow, restoreVersion, saveDraft, updateFlow, validateInContext } from '../core/flows/store';
import { testFlow } from '../core/flows/test-run';
import type { AppEnv } from '../lib/env';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { minRole } from '../middleware/auth';
import {
  CreateFlowSchema,
  FlowAnalyticsQuerySchema,
  FlowAnalyticsSchema,
  FlowIssuesSchema,
  FlowParamsSchema,
  FlowSchema,
  FlowTestBodySchema,
  FlowTestResultSchema,
  FlowVersionParamsSchema,
  FlowVersionSchema,
  FlowVersionSummarySchema,
  SaveDraftSchema,
  UpdateFlowSchema,
  ValidateFlowSchema,
} from './flows.schemas';
import { BotParamsSchema } from './chatbots.schemas';

/**
 * /api/v1/chatbots/{id}/flows: a bot's visual flows, their drafts, published versions, the
 * editor's test run and per-node analytics. Mounted by chatbots.ts, whose middleware
 * authenticates and resolves the organization. Reading is for every member; changing needs admin.
 */
export const chatbotsFlowsRouter = createRouter();
const tags = ['Flows'];
const org = (c: Context<AppEnv>) => c.get('org').organizationId;
const userOf = (c: Context<AppEnv>) => {
  const principal = c.get('principal');
  return principal.kind === 'user' ? principal.userId : null;
};

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/flows',
    tags,
    summary: 'The chatbot\u2019s flows',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(FlowSchema) }), 'Flows'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listFlows(c.get('services'), org(c), c.req.valid('param').chatbot_id) }, 200),
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/flows',
    tags,
    summary: 'Create a flow: empty, from a template, or from a document (import); the bot\u2019s first flow is its entry flow',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(CreateFlowSchema) },
    responses: { 201: jsonContent(FlowSchema, 'Created'), ...protectedErrors },
  }),
  async (c) => c.json(await createFlow(c.get('services'), org(c), c.req.valid('param').chatbot_id, c.req.valid('json')), 201),
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/flows/{flow_id}',
    tags,
    summary: 'One flow with its draft',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema },
    responses: { 200: jsonContent(FlowSchema, 'Flow'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    return c.json(publicFlow(await findFlow(c.get('services'), org(c), chatbot_id, flow_id)), 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/{chatbot_id}/flows/{flow_id}',
    tags,
    summary: 'Rename a flow or make it the entry flow (the previous entry flow stops being one)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema, body: jsonBody(UpdateFlowSchema) },
    responses: { 200: jsonContent(FlowSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    return c.json(await updateFlow(c.get('services'), org(c), chatbot_id, flow_id, c.req.valid('json')), 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{chatbot_id}/flows/{flow_id}/draft',
    tags,
    summary: 'Autosave the draft (only its shape is checked); 409 when `baseRevision` is stale',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema, body: jsonBody(SaveDraftSchema) },
    responses: { 200: jsonContent(FlowSchema, 'Saved'), 409: errorResponse('Saved elsewhere since `baseRevision`; `details.draftRevision` is the current one'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    const { document, baseRevision } = c.req.valid('json');
    return c.json(await saveDraft(c.get('services'), org(c), chatbot_id, flow_id, document, baseRevision), 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{chatbot_id}/flows/{flow_id}',
    tags,
    summary: 'Delete a flow and its versions',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    await deleteFlow(c.get('services'), org(c), chatbot_id, flow_id);
    return c.body(null, 204);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/flows/{flow_id}/validate',
    tags,
    summary: 'The issues of a document (the draft by default), each naming its node',
    security: bearerSecurity,
    'x-read-only': true,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema, body: jsonBody(ValidateFlowSchema) },
    responses: { 200: jsonContent(FlowIssuesSchema, 'Issues'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    const services = c.get('services');
    const flow = await findFlow(services, org(c), chatbot_id, flow_id);
    const document = c.req.valid('json').document ?? flow.draft;
    return c.json({ issues: await validateInContext(services, org(c), chatbot_id, document) }, 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/flows/{flow_id}/publish',
    tags,
    summary: 'Publish the draft as the next version; refused (422 `flow_invalid`, `details.issues`) when it has errors',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema },
    responses: { 201: jsonContent(FlowVersionSchema, 'Published'), ...protectedErrors, 422: errorResponse('The flow has errors (`flow_invalid`), or the request is not valid') },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    return c.json(await publishFlow(c.get('services'), org(c), chatbot_id, flow_id, userOf(c)), 201);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/flows/{flow_id}/versions',
    tags,
    summary: 'Published versions, newest first',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(FlowVersionSummarySchema) }), 'Versions'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    return c.json({ data: await listVersions(c.get('services'), org(c), chatbot_id, flow_id) }, 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/flows/{flow_id}/versions/{version}',
    tags,
    summary: 'One published version with its document',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: FlowVersionParamsSchema },
    responses: { 200: jsonContent(FlowVersionSchema, 'Version'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id, version } = c.req.valid('param');
    return c.json(await getVersion(c.get('services'), org(c), chatbot_id, flow_id, version), 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/flows/{flow_id}/versions/{version}/restore',
    tags,
    summary: 'Copy a published version into the draft',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: FlowVersionParamsSchema },
    responses: { 200: jsonContent(FlowSchema, 'Restored into the draft'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id, version } = c.req.valid('param');
    return c.json(await restoreVersion(c.get('services'), org(c), chatbot_id, flow_id, version), 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/flows/{flow_id}/test',
    tags,
    summary: 'Run the draft (or a given document) one visitor message at a time, with each step\u2019s trace',
    description:
      'Without `session` the flow starts from its start node. Send back the returned `session` with the next `text` (or `quickReply`, a button id); sending an earlier session replays from that point. Actions and webhooks are recorded in the steps, not applied; knowledge, model and API calls run for real.',
    security: bearerSecurity,
    'x-read-only': true,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema, body: jsonBody(FlowTestBodySchema) },
    responses: { 200: jsonContent(FlowTestResultSchema, 'The replies and steps of this message'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    return c.json(await testFlow(c.get('services'), org(c), chatbot_id, flow_id, c.req.valid('json')), 200);
  },
);

chatbotsFlowsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/flows/{flow_id}/analytics',
    tags,
    summary: 'How many conversations reached each node and stopped there, and how flows ended (default: the last 30 days)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: FlowParamsSchema, query: FlowAnalyticsQuerySchema },
    responses: { 200: jsonContent(FlowAnalyticsSchema, 'Analytics'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, flow_id } = c.req.valid('param');
    return c.json(await flowAnalytics(c.get('services'), org(c), chatbot_id, flow_id, c.req.valid('query')), 200);
  },
);
