import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { changePassword, deleteAccount, updateProfile, userProfile } from '../core/auth/account';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, requireUser } from '../middleware/auth';
import { currentUser } from './auth.shared';
import { ChangePasswordBodySchema, DeleteAccountBodySchema, ProfileBodySchema, ProfileSchema } from './users.schemas';

/** /api/v1/users: the signed-in person's own account. */
export const usersRouter = createRouter();
const tags = ['Users'];
usersRouter.use('*', authenticate);

usersRouter.openapi(
  createRoute({
    method: 'get',
    path: '/profile',
    tags,
    summary: 'Your profile and organizations',
    security: bearerSecurity,
    responses: { 200: jsonContent(ProfileSchema, 'Profile'), ...protectedErrors },
  }),
  async (c) => c.json(await userProfile(c.get('services'), await currentUser(c)), 200),
);

usersRouter.openapi(
  createRoute({
    method: 'put',
    path: '/profile',
    tags,
    summary: 'Update your name, phone, language or avatar',
    security: bearerSecurity,
    request: { body: jsonBody(ProfileBodySchema) },
    responses: { 200: jsonContent(ProfileSchema, 'Updated profile'), ...protectedErrors },
  }),
  async (c) => {
    const self = await currentUser(c);
    return c.json(await updateProfile(c.get('services'), self.id, c.req.valid('json')), 200);
  },
);

usersRouter.openapi(
  createRoute({
    method: 'post',
    path: '/change-password',
    tags,
    summary: 'Change your password (signs out your other sessions)',
    security: bearerSecurity,
    request: { body: jsonBody(ChangePasswordBodySchema) },
    responses: { 204: { description: 'Changed' }, ...protectedErrors },
  }),
  async (c) => {
    const self = await currentUser(c);
    const services = c.get('services');
    await changePassword(services, self, { ...c.req.valid('json'), keepSession: requireUser(c).sessionId });
    await recordAudit(services.db, auditActor(c), { action: 'auth.password_changed', targetType: 'user', targetId: self.id });
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
    request: { body: jsonBody(DeleteAccountBodySchema) },
    responses: { 204: { description: 'Deleted' }, 409: errorResponse('Sole owner of a shared organization'), ...protectedErrors },
  }),
  async (c) => {
    await deleteAccount(c.get('services'), await currentUser(c), c.req.valid('json').password);
    return c.body(null, 204);
  },
);
