import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { users } from '../../db/schema';

export const PasswordSchema = z
  .string()
  .min(10, 'Use at least 10 characters')
  .max(200)
  .openapi({ example: 'correct-horse-battery', description: 'At least 10 characters' });

export const EmailSchema = z.email().max(255).openapi({ example: 'ana@example.com' });

export const LocaleSchema = z.enum(['es', 'en']).openapi({ description: 'Interface and mail language' });

// The columns come from the table; the flags are computed from timestamps (emailVerifiedAt,
// twoFactorEnabledAt), createdAt is an ISO string, and the hashes and secrets stay inside.
export const UserSchema = createSelectSchema(users)
  .pick({ id: true, email: true, name: true, phone: true, avatarUrl: true, locale: true })
  .extend({
    emailVerified: z.boolean(),
    twoFactorEnabled: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User');

export const TokenDeliverySchema = z
  .enum(['cookie', 'body'])
  .default('cookie')
  .openapi({
    description:
      '`cookie` (dashboard): the refresh token is set as an httpOnly cookie. `body` (API clients): it is returned in the response instead.',
  });

export const SessionTokensSchema = z
  .object({
    user: UserSchema,
    accessToken: z.string().openapi({ description: 'Short-lived JWT for the Authorization header' }),
    expiresIn: z.number().int().openapi({ example: 900, description: 'Seconds until the access token expires' }),
    refreshToken: z.string().optional().openapi({ description: 'Only with tokenDelivery "body"' }),
  })
  .openapi('SessionTokens');

export const TwoFactorChallengeSchema = z
  .object({
    twoFactorRequired: z.literal(true),
    challengeToken: z.string().openapi({ description: 'Send it with the code to /auth/login/2fa within 5 minutes' }),
  })
  .openapi('TwoFactorChallenge');

export const RegisterBodySchema = z.object({
  email: EmailSchema,
  password: PasswordSchema,
  name: z.string().trim().min(1).max(200).openapi({ example: 'Ana García' }),
  locale: LocaleSchema.optional(),
  tokenDelivery: TokenDeliverySchema,
});

export const LoginBodySchema = z.object({
  email: EmailSchema,
  password: z.string().min(1).max(200),
  tokenDelivery: TokenDeliverySchema,
});

export const LoginTwoFactorBodySchema = z.object({
  challengeToken: z.string().min(1),
  code: z.string().min(6).max(20).openapi({ example: '123456', description: 'TOTP code or a backup code' }),
  tokenDelivery: TokenDeliverySchema,
});

export const RefreshBodySchema = z.object({
  refreshToken: z.string().optional().openapi({ description: 'API clients; the dashboard uses the cookie' }),
});

export const CodeSchema = z.string().min(6).max(20).openapi({ example: '123456' });

export const AccessTokenSchema = z.object({ accessToken: z.string(), expiresIn: z.number(), refreshToken: z.string().optional() });

export const VerifyEmailQuerySchema = z.object({ token: z.string().min(10) });

export const ForgotPasswordBodySchema = z.object({ email: EmailSchema });

export const ResetPasswordBodySchema = z.object({ token: z.string().min(10), password: PasswordSchema });

export const TwoFactorSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string() });

export const TwoFactorCodeBodySchema = z.object({ code: CodeSchema });

export const TwoFactorDisableBodySchema = z.object({ password: z.string().min(1), code: CodeSchema });

export const BackupCodesSchema = z.object({ backupCodes: z.array(z.string()) });

// Hand-written rather than derived from `refresh_tokens`: a session is a token family (`id` is the
// family id), its dates are ISO strings, and `current` says whether it is the caller's.
export const SessionSchema = z
  .object({
    id: z.uuid(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('Session');

export const SessionParamsSchema = z.object({ session_id: z.uuid() });
