import { z } from '@hono/zod-openapi';
import { AuditMetadataSchema } from '../core/audit';
import { CursorQuerySchema } from '../lib/openapi';

// Hand-written rather than derived from `audit_log`: the API joins the acting user (`actor`),
// renames `actorApiKeyId` to `apiKeyId` and leaves the user agent out.
export const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    action: z.string().openapi({ example: 'member.role_changed' }),
    actor: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
    apiKeyId: z.uuid().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    metadata: AuditMetadataSchema.openapi('AuditMetadata'),
    createdAt: z.string(),
  })
  .openapi('AuditEntry');

export const AuditPageSchema = z.object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable() });

export const AuditQuerySchema = CursorQuerySchema.extend({ action: z.string().max(64).optional() });
