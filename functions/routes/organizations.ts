import { createRoute, z } from '@hono/zod-openapi';
import { eq, gt, isNull, desc, sql } from 'drizzle-orm';
import { invitations, memberships, organizations, users } from '../../db/schema';
import { recordAudit } from '../core/audit';
import { auditActor } from '../lib/request';
import { orgUsage } from '../core/orgs/usage';
import { enqueueMail } from '../core/jobs/registry';
import { renderMail } from '../core/auth/mail-templates';
import { findUserById, normalizeEmail } from '../core/auth/users';
import {
  assertCanChangeMember,
  createOrganization,
  publicOrganization,
} from '../core/orgs/organizations';
import { randomToken, sha256Hex } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { enforceRateLimit } from '../lib/rate-limit';
import { bearerSecurity, createRouter, jsonBody, errorResponse, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import type { Database } from '../ports';
import { authenticate, requireRole, requireUser, withOrg, type Principal } from '../middleware/auth';
import {
  CreateOrganizationSchema,
  InvitationSchema,
  MemberSchema,
  OrganizationSchema,
  OrgParamsSchema,
  RoleSchema,
  UpdateOrganizationSchema,
} from './organizations.schemas';

export const organizationsRouter = createRouter();
const tags = ['Organizations'];
const INVITATION_TTL_MS = 7 * 86_400_000;

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
  async (c) => {
    const { db } = c.get('services');
    const principal = c.get('principal');
    const rows =
      principal.kind === 'user'
        ? await db
            .select({ org: organizations, role: memberships.role })
            .from(memberships)
            .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
            .where(eq(memberships.userId, principal.userId))
            .orderBy(organizations.name)
        : await db
            .select({ org: organizations, role: sql<typeof principal.role>`${principal.role}` })
            .from(organizations)
            .where(eq(organizations.id, principal.organizationId));
    return c.json({ data: rows.map((r) => publicOrganization(r.org, r.role)) }, 200);
  },
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
    const org = await createOrganization(c.get('services').db, principal.userId, c.req.valid('json'));
    await recordAudit(c.get('services').db, auditActor(c), { action: 'organization.created', organizationId: org.id, targetType: 'organization', targetId: org.id });
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
    const [org] = await c.get('services').db.select().from(organizations).where(eq(organizations.id, access.organizationId));
    if (!org) throw new ApiError('not_found', 'Organization not found');
    return c.json(publicOrganization(org, access.role), 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/usage',
    tags,
    summary: 'What the organization holds: conversations, messages, bots, members, knowledge and storage',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: {
      200: jsonContent(
        z.object({
          conversations: z.number().int(),
          openConversations: z.number().int(),
          messages: z.number().int(),
          bots: z.number().int(),
          activeBots: z.number().int(),
          members: z.number().int(),
          knowledgeBases: z.number().int(),
          documents: z.number().int(),
          storageBytes: z.number().int().openapi({ description: 'Bytes of uploaded and imported documents' }),
        }),
        'Usage',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => c.json(await orgUsage(c.get('services').db, c.get('org').organizationId), 200),
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
    const [org] = await c
      .get('services')
      .db.update(organizations)
      .set(changes)
      .where(eq(organizations.id, access.organizationId))
      .returning();
    await recordAudit(c.get('services').db, auditActor(c), {
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
    await db.delete(organizations).where(eq(organizations.id, access.organizationId));
    await recordAudit(c.get('services').db, auditActor(c), { action: 'organization.deleted', targetType: 'organization', targetId: access.organizationId });
    return c.body(null, 204);
  },
);

// ---- members ----------------------------------------------------------------------------

organizationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/members',
    tags,
    summary: 'Members and their roles',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(MemberSchema) }), 'Members'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const rows = await c
      .get('services')
      .db.select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(inOrg(memberships, organizationId))
      .orderBy(memberships.createdAt);
    return c.json({ data: rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() })) }, 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{org_id}/members/invite',
    tags,
    summary: 'Invite someone by email (admin)',
    description: 'Mails a link valid for 7 days. Only owners can invite owners.',
    security: bearerSecurity,
    request: {
      params: OrgParamsSchema,
      body: jsonBody(z.object({ email: z.email().max(255), role: RoleSchema.default('agent') })),
    },
    responses: {
      201: jsonContent(InvitationSchema, 'Invitation sent'),
      409: errorResponse('Already a member'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { email, role } = c.req.valid('json');
    if (role === 'owner') requireRole(access, 'owner');
    const { db, config, kv } = c.get('services');
    await enforceRateLimit(kv, `invite:${access.organizationId}`, 50, 3600, 'Too many invitations this hour');
    const normalized = normalizeEmail(email);
    const [existing] = await db
      .select({ id: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(inOrg(memberships, access.organizationId, sql`lower(${users.email}) = ${normalized}`))
      .limit(1);
    if (existing) throw new ApiError('conflict', 'This person is already a member');

    const token = randomToken(32);
    const [invitation] = await db
      .insert(invitations)
      .values({
        organizationId: access.organizationId,
        email: normalized,
        role,
        tokenHash: await sha256Hex(token),
        invitedBy: inviterId(c.get('principal')),
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    const [org] = await db.select().from(organizations).where(eq(organizations.id, access.organizationId));
    const principal = c.get('principal');
    const inviter = principal.kind === 'user' ? await findUserById(db, principal.userId) : undefined;
    const link = `${config.APP_URL}/invite/${encodeURIComponent(token)}`;
    await enqueueMail(
      c.get('services'),
      renderMail('invite', org.language, normalized, { inviter: inviter?.name ?? org.name, org: org.name, role, link }),
    );
    await recordAudit(c.get('services').db, auditActor(c), {
      action: 'member.invited',
      organizationId: access.organizationId,
      targetType: 'invitation',
      targetId: invitation.id,
      metadata: { email: normalized, role },
    });
    return c.json(publicInvitation(invitation), 201);
  },
);

function inviterId(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.userId : null;
}

function publicInvitation(row: typeof invitations.$inferSelect) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

organizationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/invitations',
    tags,
    summary: 'Pending invitations',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(InvitationSchema) }), 'Pending'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const rows = await c
      .get('services')
      .db.select()
      .from(invitations)
      .where(
        inOrg(invitations, organizationId, isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, new Date())),
      )
      .orderBy(desc(invitations.createdAt));
    return c.json({ data: rows.map(publicInvitation) }, 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{org_id}/invitations/{invitation_id}',
    tags,
    summary: 'Revoke an invitation (admin)',
    security: bearerSecurity,
    request: { params: OrgParamsSchema.extend({ invitation_id: z.uuid() }) },
    responses: { 204: { description: 'Revoked' }, ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { invitation_id } = c.req.valid('param');
    const revoked = await c
      .get('services')
      .db.update(invitations)
      .set({ revokedAt: new Date() })
      .where(inOrg(invitations, access.organizationId, eq(invitations.id, invitation_id), isNull(invitations.acceptedAt)))
      .returning({ id: invitations.id });
    if (revoked.length === 0) throw new ApiError('not_found', 'Invitation not found');
    await recordAudit(c.get('services').db, auditActor(c), { action: 'member.invitation_revoked', organizationId: access.organizationId, targetType: 'invitation', targetId: invitation_id });
    return c.body(null, 204);
  },
);

const MemberParamsSchema = OrgParamsSchema.extend({ user_id: z.uuid() });

async function findMember(db: Database, organizationId: string, userId: string) {
  const [row] = await db
    .select()
    .from(memberships)
    .where(inOrg(memberships, organizationId, eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'Member not found');
  return row;
}

organizationsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{org_id}/members/{user_id}',
    tags,
    summary: 'Change a member\u2019s role (admin)',
    security: bearerSecurity,
    request: { params: MemberParamsSchema, body: jsonBody(z.object({ role: RoleSchema })) },
    responses: { 200: jsonContent(z.object({ userId: z.uuid(), role: RoleSchema }), 'Changed'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { user_id } = c.req.valid('param');
    const { role } = c.req.valid('json');
    const { db } = c.get('services');
    const member = await findMember(db, access.organizationId, user_id);
    await assertCanChangeMember(db, access.organizationId, access.role, member, role);
    await db.update(memberships).set({ role }).where(eq(memberships.id, member.id));
    await recordAudit(c.get('services').db, auditActor(c), {
      action: 'member.role_changed',
      organizationId: access.organizationId,
      targetType: 'user',
      targetId: user_id,
      metadata: { from: member.role, to: role },
    });
    return c.json({ userId: user_id, role }, 200);
  },
);

organizationsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{org_id}/members/{user_id}',
    tags,
    summary: 'Remove a member (admin), or leave (yourself)',
    description: 'The last owner cannot leave or be removed.',
    security: bearerSecurity,
    request: { params: MemberParamsSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    const { user_id } = c.req.valid('param');
    const principal = c.get('principal');
    const leaving = principal.kind === 'user' && principal.userId === user_id;
    if (!leaving) requireRole(access, 'admin');
    const { db } = c.get('services');
    const member = await findMember(db, access.organizationId, user_id);
    await assertCanChangeMember(db, access.organizationId, leaving ? 'owner' : access.role, member, null);
    await db.delete(memberships).where(eq(memberships.id, member.id));
    await recordAudit(c.get('services').db, auditActor(c), {
      action: 'member.removed',
      organizationId: access.organizationId,
      targetType: 'user',
      targetId: user_id,
      metadata: { role: member.role, leaving },
    });
    return c.body(null, 204);
  },
);

