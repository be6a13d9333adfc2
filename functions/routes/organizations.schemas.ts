import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { invitations, organizations, ROLES } from '../../db/schema';
import { LIMIT_NAMES, PLAN_IDS } from '../core/billing/plans';
import { TRANSCRIBING_PROVIDERS, TranscriptionChoiceSchema } from '../core/channels/transcription-settings';
import { named } from '../lib/openapi';

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

// From the table; `createdAt` is an ISO string in the API (a Date in the row) and `role` is the caller's.
export const OrganizationSchema = createSelectSchema(organizations)
  .pick({ id: true, name: true, slug: true, description: true, website: true, timezone: true, language: true, plan: true })
  .extend({
    createdAt: z.string(),
    role: RoleSchema.openapi({ description: 'Your role in it' }),
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

// Hand-written: a member joins the membership (role, joinedAt = its createdAt) with the user's name and email.
export const MemberSchema = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: RoleSchema,
    joinedAt: z.string(),
  })
  .openapi('Member');

// From the table, with the dates as ISO strings; the token's hash and who accepted it stay inside.
export const InvitationSchema = createSelectSchema(invitations)
  .pick({ id: true, email: true })
  .extend({ role: RoleSchema, expiresAt: z.string(), createdAt: z.string() })
  .openapi('Invitation');

export const InviteBodySchema = z.object({ email: z.email().max(255), role: RoleSchema.default('agent') });

export const MemberParamsSchema = OrgParamsSchema.extend({ user_id: z.uuid() });

export const InvitationParamsSchema = OrgParamsSchema.extend({ invitation_id: z.uuid() });

export const UsageSchema = z.object({
  conversations: z.number().int(),
  openConversations: z.number().int(),
  messages: z.number().int(),
  bots: z.number().int(),
  activeBots: z.number().int(),
  members: z.number().int(),
  knowledgeBases: z.number().int(),
  documents: z.number().int(),
  storageBytes: z.number().int().openapi({ description: 'Bytes of uploaded and imported documents' }),
  plan: z
    .object({
      plan: z.enum(PLAN_IDS),
      billingEnabled: z.boolean().openapi({ description: 'False on a deployment without Stripe: every organization is on `unlimited`' }),
      upgrades: z.array(z.enum(PLAN_IDS)).openapi({ description: 'Plans Checkout can move the organization to' }),
      canManage: z.boolean().openapi({ description: 'The organization has a Stripe customer: the Customer Portal can manage it' }),
      subscriptionStatus: z.string().nullable(),
      periodStart: z.string(),
      resetsAt: z.string().openapi({ description: 'When the monthly answer count starts again (the first of next month, UTC)' }),
      limits: z.array(
        z.object({
          name: z.enum(LIMIT_NAMES),
          used: z.number().int(),
          limit: z.number().int().nullable().openapi({ description: 'null: no limit' }),
        }),
      ),
    })
    .openapi('PlanUsage', { description: 'The plan, each of its limits with what is used of it, and the reset date' }),
});

export const TranscriptionChoiceBodySchema = named(TranscriptionChoiceSchema, 'TranscriptionChoice');

export const TranscriptionSettingSchema = z
  .object({
    transcription: z
      .object({
        provider: z.enum(TRANSCRIBING_PROVIDERS).nullable().openapi({ description: 'null: saved before a provider was chosen; the first OpenAI, Groq or compatible key runs it' }),
        model: z.string(),
      })
      .nullable()
      .openapi({ description: 'null: voice notes are not transcribed (the bot is told a voice message came that it cannot hear)' }),
    ready: z.boolean().openapi({ description: 'A key the choice can run with is saved; false once that key is removed' }),
  })
  .openapi('TranscriptionSetting');

export const UpdateTranscriptionSettingSchema = z.object({
  transcription: TranscriptionChoiceBodySchema.nullable().openapi({ description: 'null turns transcription off' }),
});
