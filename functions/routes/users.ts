import { createRoute, z } from '@hono/zod-openapi';
import { eq, inArray } from 'drizzle-orm';
import { organizations, users } from '../../db/schema';
import { recordAudit } from '../core/audit';
import { auditActor } from '../lib/request';
import { revokeAllSessions } from '../core/auth/sessions';
import { findUserById, publicUser, userOrganizations } from '../core/auth/users';
import { countOwners, otherMemberCount } from '../core/orgs/organizations';
import { hashPassword, verifyPassword } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { bearerSecurity, createRouter, jsonBody, errorResponse, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, requireUser } from '../middleware/auth';
import { LocaleSchema, PasswordSchema, UserSchema } from './auth.schemas';
import { RoleSchema } from './organizations.schemas';

export const usersRouter = createRouter();
const tags = ['Users'];
usersRouter.use('*', authenticate);

const ProfileSchema = UserSchema.extend({
  organizations: z.array(z.object({ id: z.uuid(), name: z.string(), slug: z.string(), role: RoleSchema })),
}).openapi('Profile');

async function loadSelf(c: Parameters<typeof requireUser>[0]) {
  const principal = requireUser(c);
  const user = await findUserById(c.get('services').db, principal.userId);
  if (!user) throw new ApiError('invalid_token', 'The account behind this token no longer exists');
  return user;
}

async function profile(c: Parameters<typeof requireUser>[0], user: Awaited<ReturnType<typeof loadSelf>>) {
  return { ...publicUser(user), organizations: await userOrganizations(c.get('services').db, user.id) };
}

usersRouter.openapi(
  createRoute({
    method: 'get',
    path: '/profile',
    tags,
    summary: 'Your profile and organizations',
    security: bearerSecurity,
    responses: { 200: jsonContent(ProfileSchema, 'Profile'), ...protectedErrors },
  }),
  async (c) => c.json(await profile(c, await loadSelf(c)), 200),
);

usersRouter.openapi(
  createRoute({
    method: 'put',
    path: '/profile',
    tags,
    summary: 'Update your name, phone, language or avatar',
    security: bearerSecurity,
    request: {
      body: jsonBody(
        z.object({
          name: z.string().trim().min(1).max(200).optional(),
          phone: z.string().trim().max(32).nullable().optional(),
          locale: LocaleSchema.optional(),
          avatarUrl: z.url().max(1000).nullable().optional(),
        }),
      ),
    },
    responses: { 200: jsonContent(ProfileSchema, 'Updated profile'), ...protectedErrors },
  }),
  async (c) => {
    const self = await loadSelf(c);
    const [updated] = await c.get('services').db.update(users).set(c.req.valid('json')).where(eq(users.id, self.id)).returning();
    return c.json(await profile(c, updated), 200);
  },
);

usersRouter.openapi(
  createRoute({
    method: 'post',
    path: '/change-password',
    tags,
    summary: 'Change your password (signs out your other sessions)',
    security: bearerSecurity,
    request: { body: jsonBody(z.object({ currentPassword: z.string().min(1), newPassword: PasswordSchema })) },
    responses: { 204: { description: 'Changed' }, ...protectedErrors },
  }),
  async (c) => {
    const self = await loadSelf(c);
    const { currentPassword, newPassword } = c.req.valid('json');
    if (!(await verifyPassword(currentPassword, self.passwordHash))) {
      throw new ApiError('invalid_credentials', 'The current password is not correct');
    }
    const { db } = c.get('services');
    await db.update(users).set({ passwordHash: await hashPassword(newPassword) }).where(eq(users.id, self.id));
    await revokeAllSessions(c.get('services'), self.id, { except: requireUser(c).sessionId });
    await recordAudit(c.get('services').db, auditActor(c), { action: 'auth.password_changed', targetType: 'user', targetId: self.id });
    return c.body(null, 204);
  },
);

usersRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/account',
    tags,
    summary: 'Delete your account',
    description:
      'Organizations where you are the only member are deleted with it. If you are the only owner of an organization that has other members, hand over ownership first (409).',
    security: bearerSecurity,
    request: { body: jsonBody(z.object({ password: z.string().min(1) })) },
    responses: { 204: { description: 'Deleted' }, 409: errorResponse('Sole owner of a shared organization'), ...protectedErrors },
  }),
  async (c) => {
    const self = await loadSelf(c);
    if (!(await verifyPassword(c.req.valid('json').password, self.passwordHash))) {
      throw new ApiError('invalid_credentials', 'The password is not correct');
    }
    const { db } = c.get('services');
    const orgs = await userOrganizations(db, self.id);
    const soloOrgs: string[] = [];
    for (const org of orgs) {
      const others = await otherMemberCount(db, org.id, self.id);
      if (others === 0) soloOrgs.push(org.id);
      else if (org.role === 'owner') {
        if ((await countOwners(db, org.id)) <= 1) {
          throw new ApiError('conflict', `You are the only owner of "${org.name}": make someone else owner first`, {
            details: { organizationId: org.id },
          });
        }
      }
    }
    await db.transaction(async (tx) => {
      if (soloOrgs.length) await tx.delete(organizations).where(inArray(organizations.id, soloOrgs));
      await tx.delete(users).where(eq(users.id, self.id));
    });
    return c.body(null, 204);
  },
);
