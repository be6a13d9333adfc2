import type { Context } from 'hono';
import { auditLog } from '../../db/schema';
import type { AppEnv } from '../lib/env';
import { clientIp, userAgent } from '../lib/request';

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
  | 'organization.deleted'
  | 'member.invited'
  | 'member.invitation_revoked'
  | 'member.joined'
  | 'member.role_changed'
  | 'member.removed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret_rotated';

interface AuditEntry {
  action: AuditAction;
  organizationId?: string | null;
  actorUserId?: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
}

/** Records a security-relevant action with who did it (user or API key) and from where. */
export async function recordAudit(c: Context<AppEnv>, entry: AuditEntry): Promise<void> {
  const principal = c.get('principal') as AppEnv['Variables']['principal'] | undefined;
  const { db } = c.get('services');
  await db.insert(auditLog).values({
    organizationId: entry.organizationId ?? null,
    actorUserId: entry.actorUserId ?? (principal?.kind === 'user' ? principal.userId : null),
    actorApiKeyId: principal?.kind === 'apiKey' ? principal.apiKeyId : null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: clientIp(c),
    userAgent: userAgent(c),
    metadata: entry.metadata ?? {},
  });
}
