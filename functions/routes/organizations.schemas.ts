import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const RoleSchema = z.enum(ROLES).openapi({ description: 'owner > admin > agent > viewer', example: 'agent' });

export const TimeZoneSchema = z
  .string()
  .refine(isTimeZone, 'Not an IANA time zone (for example Europe/Madrid)')
  .openapi({ example: 'Europe/Madrid' });

export const OrganizationSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: 'Acme' }),
    slug: z.string().openapi({ example: 'acme-1a2b3c' }),
    description: z.string().nullable(),
    website: z.string().nullable(),
    timezone: z.string(),
    language: z.string(),
    plan: z.string(),
    createdAt: z.string(),
    role: RoleSchema.optional().openapi({ description: 'Your role in it' }),
  })
  .openapi('Organization');

export const CreateOrganizationSchema = z.object({
  name: z.string().trim().min(1).max(200).openapi({ example: 'Acme' }),
  description: z.string().max(2000).optional(),
  website: z.url().optional(),
  timezone: TimeZoneSchema.optional(),
  language: z.enum(['es', 'en']).optional(),
});

export const UpdateOrganizationSchema = CreateOrganizationSchema.partial().extend({
  description: z.string().max(2000).nullable().optional(),
  website: z.url().nullable().optional(),
});

export const OrgParamsSchema = z.object({ org_id: z.uuid().openapi({ param: { name: 'org_id', in: 'path' } }) });

export const MemberSchema = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: RoleSchema,
    joinedAt: z.string(),
  })
  .openapi('Member');

export const InvitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: RoleSchema,
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .openapi('Invitation');
