import { and, desc, eq, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, users } from '../../db/schema';
import { decodeCursor, toPage } from '../lib/pagination';
import { inOrg } from '../lib/tenancy';
import type { Database } from '../ports';

export type AuditAction =
  | 'auth.register'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.password_reset'
  | 'auth.password_changed'
  | 'auth.2fa_enabled'
  | 'auth.2fa_disabled'
  | 'auth.backup_codes_regenerated'
  | 'auth.session_revoked'
  | 'organization.created'
  | 'organization.updated'
  | 'organization.transcription_updated'
  | 'organization.deleted'
  | 'member.invited'
  | 'member.invitation_revoked'
  | 'member.joined'
  | 'member.role_changed'
  | 'member.removed'
  | 'api_key.created'
  | 'api_key.updated'
  | 'api_key.revoked'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'contact.merged'
  | 'privacy.settings_updated'
  | 'privacy.retention_purged'
  | 'contact.exported'
  | 'contact.erased'

  | 'auth.sso_login'
  | 'auth.account_deleted'
  | 'auth.avatar_updated'
  | 'sso.configured'
  | 'sso.deleted'
  | 'sso.domain_added'
  | 'sso.domain_verified'
  | 'sso.domain_removed'
  | 'organization.deletion_scheduled'
  | 'organization.deletion_cancelled'
  | 'organization.purged';

/** Every fact an entry may carry, by the actions that record it; the audit log's readers rely on these keys. */
export const AuditMetadataSchema = z.object({
  fields: z.array(z.string()).optional().describe('organization.updated, webhook.updated: the fields changed'),
  email: z.string().optional().describe('member.invited: who was invited'),
  role: z.string().optional().describe('member.invited, member.joined, member.removed, api_key.created: the role'),
  from: z.string().optional().describe('member.role_changed: the previous role; organization.transcription_updated: the previous `provider:model` or `off`'),
  to: z.string().optional().describe('member.role_changed: the new role; organization.transcription_updated: the new `provider:model` or `off`'),
  leaving: z.boolean().optional().describe('member.removed: the member left on their own'),
  name: z.string().optional().describe('api_key.created, api_key.updated: the key\u2019s name'),
  scopes: z.array(z.string()).optional().describe('api_key.created, api_key.updated: what the key may do (read, chat, admin)'),
  rateLimitPerMinute: z.number().nullable().optional().describe('api_key.created, api_key.updated: the key\u2019s requests per minute (null = none)'),
  invitationId: z.string().optional().describe('member.joined: the invitation accepted'),
  url: z.string().optional().describe('webhook.created, webhook.deleted: the endpoint (without credentials or query)'),
  events: z.array(z.string()).optional().describe('webhook.created: the events subscribed to'),
  mergedContactId: z.string().optional().describe('contact.merged: the contact merged into the target (kept as its channel identity)'),
  channel: z.string().optional().describe('contact.merged: the merged contact’s channel'),
  conversations: z.number().optional().describe('contact.merged: how many conversations moved'),
  counts: z
    .record(z.string(), z.number())
    .optional()
    .describe('privacy.retention_purged, contact.erased, contact.exported: how many rows or files (never their content)'),
  retention: z
    .record(z.string(), z.number().nullable())
    .optional()
    .describe('privacy.retention_purged: the retention days in force (null = kept)'),
  via: z.string().optional().describe('member.joined, auth.sso_login: `sso` when single sign-on signed the person in'),
  issuer: z.string().optional().describe('sso.configured, auth.sso_login: the identity provider'),
  domain: z.string().optional().describe('sso.domain_added, sso.domain_verified, sso.domain_removed: the email domain'),
  method: z.string().optional().describe('sso.domain_verified: `dns` or `admin_email`'),
  createdUser: z.boolean().optional().describe('auth.sso_login: the account was created by this sign-in (just in time)'),
  purgeAfter: z.string().optional().describe('organization.deletion_scheduled: when the organization is purged'),
});
export type AuditMetadata = z.infer<typeof AuditMetadataSchema>;

/** Who did it and from where: built from the request by `auditActor` (lib/request.ts). */
export interface AuditActor {
  userId?: string | null;
  apiKeyId?: string | null;
  ip: string;
  userAgent: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  organizationId?: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: AuditMetadata;
}

/** Records a security-relevant action with who did it (user or API key) and from where. */
export async function recordAudit(db: Database, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    organizationId: entry.organizationId ?? null,
    actorUserId: actor.userId ?? null,
    actorApiKeyId: actor.apiKeyId ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: actor.ip,
    userAgent: actor.userAgent,
    metadata: entry.metadata ?? {},
  });
}

/** A page of the organization's audit log, newest first, with the acting user's name. */
export async function listAuditEntries(
  db: Database,
  organizationId: string,
  options: { limit: number; cursor?: string; action?: string },
) {
  const after = decodeCursor(options.cursor);
  const rows = await db
    .select({ entry: auditLog, actor: { id: users.id, name: users.name, email: users.email } })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(
      inOrg(
        auditLog,
        organizationId,
        options.action ? eq(auditLog.action, options.action) : undefined,
        after
          ? or(
              lt(auditLog.createdAt, new Date(after.createdAt)),
              and(eq(auditLog.createdAt, new Date(after.createdAt)), lt(auditLog.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(options.limit + 1);
  const { page, nextCursor } = toPage(
    rows.map((r) => ({ ...r, id: r.entry.id, createdAt: r.entry.createdAt })),
    options.limit,
  );
  return {
    data: page.map(({ entry, actor }) => ({
      id: entry.id,
      action: entry.action,
      actor: actor?.id ? { id: actor.id, name: actor.name, email: actor.email } : null,
      apiKeyId: entry.actorApiKeyId,
      targetType: entry.targetType,
      targetId: entry.targetId,
      ip: entry.ip,
      // The column is free JSON in the database; only what recordAudit wrote (these keys) is answered.
      metadata: AuditMetadataSchema.parse(entry.metadata),
      createdAt: entry.createdAt.toISOString(),
    })),
    nextCursor,
  };
}
