import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { accountDeletionPlan, changePassword, deleteAccount, updateProfile, userProfile } from '../core/auth/account';
import { AVATAR_MAX_BYTES, deleteStoredAvatar, readAvatar, uploadAvatar } from '../core/lifecycle/avatar';
import { ApiError } from '../lib/errors';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, requireUser } from '../middleware/auth';
import { currentUser } from './auth.shared';
import {
  AccountDeletionPlanSchema,
  AvatarSchema,
  AvatarUploadSchema,
  ChangePasswordBodySchema,
  DeleteAccountBodySchema,
  ProfileBodySchema,
  ProfileSchema,
} from './users.schemas';

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
    const services = c.get('services');
    const self = await currentUser(c);
    const plan = await deleteAccount(services, self, c.req.valid('json'));
    await deleteStoredAvatar(services, self);
    // The account is gone, so the entry names it by id; the organizations deleted with it are listed.
    await recordAudit(services.db, { ...auditActor(c), userId: null }, {
      action: 'auth.account_deleted',
      targetType: 'user',
      targetId: self.id,
      metadata: { fields: plan.deletedWithAccount.map((o) => o.id) },
    });
    return c.body(null, 204);
  },
);

usersRouter.openapi(
  createRoute({
    method: 'get',
    path: '/account/deletion-plan',
    tags,
    summary: 'What deleting your account would do to each of your organizations',
    description:
      '`deletedWithAccount`: organizations where you are the only member. `leaving`: you leave them. `blockedBy`: you are their only owner and others belong to them; transfer ownership first.',
    security: bearerSecurity,
    responses: { 200: jsonContent(AccountDeletionPlanSchema, 'The plan'), ...protectedErrors },
  }),
  async (c) => c.json(await accountDeletionPlan(c.get('services').db, (await currentUser(c)).id), 200),
);

usersRouter.openapi(
  createRoute({
    method: 'post',
    path: '/upload-avatar',
    tags,
    summary: 'Upload your avatar: PNG, JPEG or WebP, at most 512\u00d7512 pixels and 1 MB',
    description: 'The type is read from the bytes and the size from the image header; the dashboard resizes in the browser first.',
    security: bearerSecurity,
    request: { body: { required: true, content: { 'multipart/form-data': { schema: AvatarUploadSchema } } } },
    responses: {
      200: jsonContent(AvatarSchema, 'Stored; the profile points at it'),
      413: errorResponse('Larger than 1 MB'),
      415: errorResponse('Not a PNG, JPEG or WebP image'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { file } = c.req.valid('form');
    if (!(file instanceof File)) throw new ApiError('validation_failed', 'Send the image as the `file` field');
    const services = c.get('services');
    const self = await currentUser(c);
    if (file.size > AVATAR_MAX_BYTES) throw new ApiError('payload_too_large', 'An avatar may be at most 1 MB');
    const stored = await uploadAvatar(services, self, new Uint8Array(await file.arrayBuffer()));
    await recordAudit(services.db, auditActor(c), { action: 'auth.avatar_updated', targetType: 'user', targetId: self.id });
    return c.json(stored, 200);
  },
);

const ImageBytes = z.string().openapi({ format: 'binary' });

/** /api/v1/avatars/{name}: avatars are public (shown in the inbox, member lists); names are unguessable. */
export const avatarsRouter = createRouter();

avatarsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{name}',
    tags,
    summary: 'An uploaded avatar image',
    request: { params: z.object({ name: z.string().max(100) }) },
    responses: {
      200: {
        description: 'The image',
        content: { 'image/png': { schema: ImageBytes }, 'image/jpeg': { schema: ImageBytes }, 'image/webp': { schema: ImageBytes } },
      },
      404: errorResponse('No such avatar'),
    },
  }),
  async (c) => {
    const blob = await readAvatar(c.get('services'), c.req.valid('param').name);
    if (!blob) throw new ApiError('not_found', 'Avatar not found');
    return c.body(blob.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': blob.contentType ?? 'application/octet-stream',
      // Each upload gets a new name, so a stored one never changes.
      'cache-control': 'public, max-age=31536000, immutable',
      'content-security-policy': "default-src 'none'",
      'x-content-type-options': 'nosniff',
    });
  },
);
