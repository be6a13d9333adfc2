import type { Context } from 'hono';
import type { AppEnv } from '../lib/env';

/** Who is acting on the inbox: the organization, and the user (null for an API key). */
export function inboxActor(c: Context<AppEnv>) {
  const principal = c.get('principal');
  return { organizationId: c.get('org').organizationId, userId: principal.kind === 'user' ? principal.userId : null };
}
