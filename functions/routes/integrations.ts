import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  connectIntegration,
  createIntegration,
  deleteIntegration,
  disconnectIntegration,
  findIntegrationInOrg,
  integrationStatus,
  listIntegrations,
  publicIntegration,
  updateIntegration,
} from '../core/channels/integrations';
import type { IntegrationRow } from '../core/channels/types';
import type { AppEnv } from '../lib/env';
import { CursorQuerySchema, OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, errorResponse, jsonContent, protectedErrors } from '../lib/openapi';
import { decodeCursor, toPage } from '../lib/pagination';
import { authenticate, hasRole, minRole, withOrg } from '../middleware/auth';
import { ConnectSchema, CreateIntegrationSchema, IntegrationSchema, Params, PlatformSchema, StatusSchema, UpdateIntegrationSchema } from './integrations.schemas';

/**
 * Messaging integrations (the brief's `/integrations`): WhatsApp, Messenger, Instagram and
 * Telegram accounts linked to a chatbot. Everyone in the organization reads them; admins create,
 * connect and remove them. Credentials go in and never come out.
 */
export const integrationsRouter = createRouter();
integrationsRouter.use('*', authenticate, withOrg);
const tags = ['Integrations'];

type IntegrationOut = z.infer<typeof IntegrationSchema>;

async function present(c: Context<AppEnv>, row: IntegrationRow, botName: string | null): Promise<IntegrationOut> {
  return publicIntegration(c.get('services'), row, botName, { revealVerifyToken: hasRole(c.get('org').role, 'admin') });
}

async function respondWith<S extends 200 | 201>(c: Context<AppEnv>, id: string, status: S) {
  const { integration, botName } = await findIntegrationInOrg(c.get('services'), c.get('org').organizationId, id);
  return c.json(await present(c, integration, botName), status);
}

const nonEmpty = (change: Record<string, string> | undefined) => (change && Object.keys(change).length > 0 ? change : undefined);

integrationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Integrations of the organization, newest first',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: CursorQuerySchema.extend({ platform: PlatformSchema.optional(), botId: z.uuid().optional() }) },
    responses: { 200: jsonContent(z.object({ data: z.array(IntegrationSchema), nextCursor: z.string().nullable() }), 'A page of integrations'), ...protectedErrors },
  }),
  async (c) => {
    const { cursor, limit, platform, botId } = c.req.valid('query');
    const rows = await listIntegrations(c.get('services'), c.get('org').organizationId, { platform, botId, cursor: decodeCursor(cursor), limit });
    const { page, nextCursor } = toPage(rows.map((r) => ({ ...r, id: r.integration.id, createdAt: r.integration.createdAt })), limit);
    return c.json({ data: await Promise.all(page.map((r) => present(c, r.integration, r.botName))), nextCursor }, 200);
  },
);

integrationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create an integration (admin); it starts disconnected',
    description: 'Credentials may be given now or with connect; they are validated per platform and stored encrypted.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CreateIntegrationSchema) },
    responses: { 201: jsonContent(IntegrationSchema, 'Created'), ...protectedErrors },
  }),
  async (c) => {
    const row = await createIntegration(c.get('services'), c.get('org').organizationId, c.req.valid('json'));
    return respondWith(c, row.id, 201);
  },
);

integrationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{integration_id}',
    tags,
    summary: 'One integration',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 200: jsonContent(IntegrationSchema, 'The integration'), ...protectedErrors },
  }),
  (c) => respondWith(c, c.req.valid('param').integration_id, 200),
);

integrationsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{integration_id}',
    tags,
    summary: 'Rename, relink to another chatbot, change settings or credentials (admin)',
    description: 'New credentials on a connected integration are checked with the platform before they replace the old ones.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: Params, body: jsonBody(UpdateIntegrationSchema) },
    responses: { 200: jsonContent(IntegrationSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => {
    const { integration_id } = c.req.valid('param');
    const body = c.req.valid('json');
    await updateIntegration(c.get('services'), c.get('org').organizationId, integration_id, { ...body, credentials: nonEmpty(body.credentials) });
    return respondWith(c, integration_id, 200);
  },
);

integrationsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{integration_id}',
    tags,
    summary: 'Delete an integration (admin); its conversations stay in the inbox',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteIntegration(c.get('services'), c.get('org').organizationId, c.req.valid('param').integration_id);
    return c.body(null, 204);
  },
);

integrationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{integration_id}/connect',
    tags,
    summary: 'Check the credentials with the platform and start receiving (admin)',
    description:
      'WhatsApp: reads the phone number (and subscribes the app to the business account when its id is given). Messenger: checks the token is the page\u2019s and subscribes the app to the page. Instagram: reads the account. Telegram: getMe, then setWebhook with a new random secret token. A refusal answers 422 with the platform\u2019s reason; an unreachable platform, 503.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: Params, body: { required: false, content: { 'application/json': { schema: ConnectSchema } } } },
    responses: { 200: jsonContent(IntegrationSchema, 'Connected'), ...protectedErrors, 503: errorResponse('The platform could not be reached') },
  }),
  async (c) => {
    const { integration_id } = c.req.valid('param');
    const change = nonEmpty(c.req.valid('json').credentials);
    await connectIntegration(c.get('services'), c.get('org').organizationId, integration_id, change);
    return respondWith(c, integration_id, 200);
  },
);

integrationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{integration_id}/disconnect',
    tags,
    summary: 'Stop receiving and sending (admin); Telegram\u2019s webhook is removed',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 200: jsonContent(IntegrationSchema, 'Disconnected'), ...protectedErrors },
  }),
  async (c) => {
    const { integration_id } = c.req.valid('param');
    await disconnectIntegration(c.get('services'), c.get('org').organizationId, integration_id);
    return respondWith(c, integration_id, 200);
  },
);

integrationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{integration_id}/status',
    tags,
    summary: 'Connection state, last message and last error, and the last 24 hours of traffic',
    security: bearerSecurity,
    request: {
      headers: OrgHeaderSchema,
      params: Params,
      query: z.object({ check: z.enum(['true', 'false']).optional().openapi({ description: 'Also ask Telegram how our webhook is doing' }) }),
    },
    responses: { 200: jsonContent(StatusSchema, 'Status'), ...protectedErrors },
  }),
  async (c) => {
    const { integration_id } = c.req.valid('param');
    const check = c.req.valid('query').check === 'true';
    return c.json(await integrationStatus(c.get('services'), c.get('org').organizationId, integration_id, check), 200);
  },
);
