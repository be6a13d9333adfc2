import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { deleteOrganization, findOrganization, listOrganizations, updateOrganization } from '../core/orgs/manage';
import { createOrganization, publicOrganization } from '../core/orgs/organizations';
import { orgUsage } from '../core/orgs/usage';
import { planUsage } from '../core/billing/usage';
import { bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, requireRole, requireUser, withOrg } from '../middleware/auth';
import { organizationsInvitationsRouter } from './organizations-invitations';
import { organizationsMembersRouter } from './organizations-members';
import { organizationsLifecycleRouter } from './organizations-lifecycle';
import { organizationsTranscriptionRouter } from './organizations-transcription';
import { CreateOrganizationSchema, OrganizationSchema, OrgParamsSchema, UpdateOrganizationSchema, UsageSchema } from './organizations.schemas';

/**
 * /api/v1/organizations. Sub-resources are mounted at the end from their own files:
 * `/{id}/members` (organizations-members.ts), `/{id}/invitations` (organizations-invitations.ts),
 * `/{id}/deletion` and `/export` (organizations-lifecycle.ts) and `/{id}/settings/transcription`
 * (organizations-transcription.ts).
 */
export const organizationsRouter = createRouter();
const tags = ['Organizations'];

// Registered before the sub-routers are mounted, so they guard them too.
organizationsRouter.use('*', authenticate);
organizationsRouter.use('/:org_id/*', withOrg);
organizationsRouter.use('/:org_id', withOrg);

organizationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Organizations you belong to',
    security: bearerSecurity,
    responses: { 200: jsonContent(z.object({ data: z.array(OrganizationSchema) }), 'Your organizations'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listOrganizations(c.get('services').db, c.get('principal')) }, 200),
);

organizationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create an organization (you become its owner)',
    security: bearerSecurity,
    request: { body: jsonBody(CreateOrganizationSchema) },
    responses: { 201: jsonContent(OrganizationSchema, 'Created'), ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const { db } = c.get('services');
    const org = await createOrganization(db, principal.userId, c.req.valid('json'));
    await recordAudit(db, auditActor(c), { action: 'organization.created', organizationId: org.id, targetType: 'organization', targetId: org.id });
    return c.json(publicOrganization(org, 'owner'), 201);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}',
    tags,
    summary: 'One organization',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 200: jsonContent(OrganizationSchema, 'The organization'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    return c.json(publicOrganization(await findOrganization(c.get('services').db, access.organizationId), access.role), 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/usage',
    tags,
    summary: 'What the organization holds (conversations, messages, bots, members, knowledge, storage), and its plan\u2019s limits with what is used of each',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 200: jsonContent(UsageSchema, 'Usage'), ...protectedErrors },
  }),
  async (c) => {
    const services = c.get('services');
    const { organizationId } = c.get('org');
    const [usage, plan] = await Promise.all([orgUsage(services.db, organizationId), planUsage(services, organizationId)]);
    return c.json({ ...usage, plan }, 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{org_id}',
    tags,
    summary: 'Update an organization (admin)',
    security: bearerSecurity,
    request: { params: OrgParamsSchema, body: jsonBody(UpdateOrganizationSchema) },
    responses: { 200: jsonContent(OrganizationSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const changes = c.req.valid('json');
    const { db } = c.get('services');
    const org = await updateOrganization(db, access.organizationId, changes);
    await recordAudit(db, auditActor(c), {
      action: 'organization.updated',
      organizationId: org.id,
      targetType: 'organization',
      targetId: org.id,
      metadata: { fields: Object.keys(changes) },
    });
    return c.json(publicOrganization(org, access.role), 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{org_id}',
    tags,
    summary: 'Delete an organization and everything in it (owner)',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'owner');
    const { db } = c.get('services');
    await deleteOrganization(db, access.organizationId);
    await recordAudit(db, auditActor(c), { action: 'organization.deleted', targetType: 'organization', targetId: access.organizationId });
    return c.body(null, 204);
  },
);

organizationsRouter.route('/', organizationsMembersRouter);
organizationsRouter.route('/', organizationsInvitationsRouter);
organizationsRouter.route('/', organizationsLifecycleRouter);
organizationsRouter.route('/', organizationsTranscriptionRouter);
