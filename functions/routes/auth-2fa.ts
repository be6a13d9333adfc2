import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { remainingBackupCodes } from '../core/auth/two-factor';
import { beginTwoFactorSetup, disableTwoFactor, enableTwoFactor, replaceBackupCodes } from '../core/auth/two-factor-settings';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate } from '../middleware/auth';
import { BackupCodesSchema, TwoFactorCodeBodySchema, TwoFactorDisableBodySchema, TwoFactorSetupSchema } from './auth.schemas';
import { currentUser } from './auth.shared';

/** /api/v1/auth/2fa/…: two-factor authentication of the signed-in person. */
export const authTwoFactorRouter = createRouter();
const tags = ['Auth'];

authTwoFactorRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/setup',
    tags,
    summary: 'Start 2FA setup: get a TOTP secret and otpauth URL',
    description: 'Nothing changes until a code from the authenticator app is confirmed at `/auth/2fa/verify`.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: {
      200: jsonContent(TwoFactorSetupSchema, 'Scan the URL as a QR code'),
      409: errorResponse('2FA is already on'),
      ...protectedErrors,
    },
  }),
  async (c) => c.json(await beginTwoFactorSetup(c.get('services'), await currentUser(c)), 200),
);

authTwoFactorRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/verify',
    tags,
    summary: 'Confirm 2FA setup with a code; returns backup codes once',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(TwoFactorCodeBodySchema) },
    responses: {
      200: jsonContent(BackupCodesSchema, '2FA is on; store the backup codes'),
      409: errorResponse('Setup not started or already on'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const user = await currentUser(c);
    const services = c.get('services');
    const backupCodes = await enableTwoFactor(services, user, c.req.valid('json').code);
    await recordAudit(services.db, auditActor(c), { action: 'auth.2fa_enabled', targetType: 'user', targetId: user.id });
    return c.json({ backupCodes }, 200);
  },
);

authTwoFactorRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/disable',
    tags,
    summary: 'Turn 2FA off (needs the password and a code)',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(TwoFactorDisableBodySchema) },
    responses: { 204: { description: '2FA is off' }, 409: errorResponse('2FA is not on'), ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    const { password, code } = c.req.valid('json');
    const services = c.get('services');
    await disableTwoFactor(services, user, password, code);
    await recordAudit(services.db, auditActor(c), { action: 'auth.2fa_disabled', targetType: 'user', targetId: user.id });
    return c.body(null, 204);
  },
);

authTwoFactorRouter.openapi(
  createRoute({
    method: 'get',
    path: '/2fa/backup-codes',
    tags,
    summary: 'How many unused backup codes are left',
    description: 'Codes are stored hashed and shown only when generated; regenerate them with POST.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: { 200: jsonContent(z.object({ remaining: z.number().int() }), 'Unused codes'), ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    const remaining = user.twoFactorEnabledAt ? await remainingBackupCodes(c.get('services').db, user.id) : 0;
    return c.json({ remaining }, 200);
  },
);

authTwoFactorRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/backup-codes',
    tags,
    summary: 'Replace the backup codes (needs a current code)',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(TwoFactorCodeBodySchema) },
    responses: { 200: jsonContent(BackupCodesSchema, 'New codes, shown once'), 409: errorResponse('2FA is not on'), ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    const services = c.get('services');
    const backupCodes = await replaceBackupCodes(services, user, c.req.valid('json').code);
    await recordAudit(services.db, auditActor(c), { action: 'auth.backup_codes_regenerated', targetType: 'user', targetId: user.id });
    return c.json({ backupCodes }, 200);
  },
);
