import { z } from '@hono/zod-openapi';
import { EmailSchema, SessionTokensSchema, TokenDeliverySchema } from './auth.schemas';

const JitRoleSchema = z.enum(['admin', 'agent', 'viewer']).openapi({ description: 'Role of people who join through SSO', example: 'agent' });
const PresetSchema = z.enum(['google', 'microsoft', 'custom']).openapi({ description: 'What the dashboard prefilled; the issuer is what counts' });

export const SsoConnectionSchema = z
  .object({
    id: z.uuid(),
    preset: PresetSchema,
    issuer: z.string(),
    clientId: z.string(),
    hasClientSecret: z.boolean().openapi({ description: 'The secret is stored encrypted and never returned' }),
    defaultRole: JitRoleSchema,
    ssoRequired: z.boolean(),
    enabled: z.boolean(),
    updatedAt: z.string(),
  })
  .openapi('SsoConnection');

export const SsoDomainSchema = z
  .object({
    id: z.uuid(),
    domain: z.string(),
    verified: z.boolean(),
    verifiedAt: z.string().nullable(),
    verificationMethod: z.enum(['dns', 'admin_email']).nullable(),
    txtRecord: z.object({ name: z.string(), value: z.string() }).openapi({ description: 'The TXT record to publish on the domain' }),
    createdAt: z.string(),
  })
  .openapi('SsoDomain');

export const SsoSettingsSchema = z
  .object({
    connection: SsoConnectionSchema.nullable(),
    domains: z.array(SsoDomainSchema),
    redirectUri: z.string().openapi({ description: 'Register this as the redirect URI at the identity provider' }),
    presets: z.object({ google: z.object({ issuer: z.string() }), microsoft: z.object({ issuer: z.string() }) }),
  })
  .openapi('SsoSettings');

export const SaveSsoConnectionSchema = z.object({
  preset: PresetSchema.default('custom'),
  issuer: z.url().max(500).openapi({ example: 'https://accounts.google.com' }),
  clientId: z.string().trim().min(1).max(255),
  clientSecret: z.string().min(1).max(2000).optional().openapi({ description: 'Required the first time; omit to keep the stored one' }),
  defaultRole: JitRoleSchema.default('agent'),
  ssoRequired: z.boolean().default(false),
  enabled: z.boolean().default(true),
});

const DomainNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'Not a domain name (for example acme.com)')
  .openapi({ example: 'acme.com' });

export const AddSsoDomainSchema = z.object({ domain: DomainNameSchema });

export const SsoDomainParamsSchema = z.object({ domain_id: z.uuid() });

export const VerifySsoDomainSchema = z.object({
  method: z.enum(['dns', 'admin_email']).openapi({ description: '`dns`: look up the TXT record. `admin_email`: your own verified email is on the domain' }),
});

export const SsoTestResultSchema = z
  .object({
    ok: z.literal(true),
    issuer: z.string(),
    authorizationEndpoint: z.string(),
    tokenEndpoint: z.string(),
    jwksUri: z.string(),
  })
  .openapi('SsoTestResult');

export const SsoStartBodySchema = z.object({ email: EmailSchema });

export const SsoStartSchema = z
  .object({ authorizationUrl: z.string().openapi({ description: 'Send the browser here' }) })
  .openapi('SsoStart');

export const SsoCallbackBodySchema = z.object({
  query: z.string().min(1).max(8000).openapi({ description: 'The query string the identity provider sent to the redirect URI, as is' }),
  tokenDelivery: TokenDeliverySchema,
});

export const SsoSessionSchema = SessionTokensSchema.extend({
  organizationId: z.uuid().openapi({ description: 'The organization whose SSO signed the person in' }),
}).openapi('SsoSession');
