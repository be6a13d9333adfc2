import { z } from '@hono/zod-openapi';
import { LocaleSchema, PasswordSchema, UserSchema } from './auth.schemas';
import { RoleSchema } from './organizations.schemas';

export const ProfileSchema = UserSchema.extend({
  organizations: z.array(z.object({ id: z.uuid(), name: z.string(), slug: z.string(), role: RoleSchema })),
}).openapi('Profile');

export const ProfileBodySchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  phone: z.string().trim().max(32).nullable().optional(),
  locale: LocaleSchema.optional(),
  avatarUrl: z.url().max(1000).nullable().optional(),
});

export const ChangePasswordBodySchema = z.object({ currentPassword: z.string().min(1), newPassword: PasswordSchema });

export const DeleteAccountBodySchema = z.object({
  password: z.string().min(1),
  code: z.string().min(6).max(20).optional().openapi({ description: 'TOTP or backup code; required when two-factor authentication is on' }),
});

const OrgRefSchema = z.object({ id: z.uuid(), name: z.string(), role: z.string() });

export const AccountDeletionPlanSchema = z
  .object({ deletedWithAccount: z.array(OrgRefSchema), leaving: z.array(OrgRefSchema), blockedBy: z.array(OrgRefSchema) })
  .openapi('AccountDeletionPlan');

export const AvatarUploadSchema = z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) });

export const AvatarSchema = z
  .object({ avatarUrl: z.string(), type: z.enum(['image/png', 'image/jpeg', 'image/webp']), width: z.number().int(), height: z.number().int() })
  .openapi('Avatar');
