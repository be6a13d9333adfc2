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

export const DeleteAccountBodySchema = z.object({ password: z.string().min(1) });
