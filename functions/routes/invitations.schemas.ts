import { z } from '@hono/zod-openapi';
import { OrganizationSchema, RoleSchema } from './organizations.schemas';

export const InvitationTokenParamsSchema = z.object({ token: z.string().min(10) });

export const InvitationPreviewSchema = z.object({ organizationName: z.string(), email: z.string(), role: RoleSchema, expiresAt: z.string() });

export const AcceptInvitationBodySchema = z.object({ token: z.string().min(10) });

export const JoinedSchema = z.object({ organization: OrganizationSchema });
