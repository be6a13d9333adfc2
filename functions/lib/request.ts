import type { Context } from 'hono';
import type { AppEnv } from './env';
import type { AuditActor } from '../core/audit';

/**
 * The header the Node server (`server.ts`) sets to the client's address, always overwriting what
 * the client sent: the socket's address, or the X-Forwarded-For entry TRUST_PROXY vouches for.
 */
export const NODE_CLIENT_IP_HEADER = 'x-real-ip';

/**
 * The caller's IP, for rate limits, sessions and the audit log. Each runtime trusts only the header
 * its own front sets: on Workers Cloudflare's `cf-connecting-ip` (Cloudflare overwrites a client's);
 * on Node the server's header. A `cf-connecting-ip` sent to the Node server is just a client's claim.
 */
export function clientIp(c: Context<AppEnv>): string {
  const header = c.get('services').config.runtime === 'edge' ? 'cf-connecting-ip' : NODE_CLIENT_IP_HEADER;
  return c.req.header(header) ?? 'unknown';
}

export function userAgent(c: Context): string | null {
  return c.req.header('user-agent')?.slice(0, 500) ?? null;
}

/**
 * Who is acting, for the audit log: the signed-in user or API key of the request, from its address.
 * `userId` names the user when no one is signed in yet (sign-in, registration, password reset).
 */
export function auditActor(c: Context<AppEnv>, userId?: string): AuditActor {
  const principal = c.get('principal') as AppEnv['Variables']['principal'] | undefined;
  return {
    userId: userId ?? (principal?.kind === 'user' ? principal.userId : null),
    apiKeyId: principal?.kind === 'apiKey' ? principal.apiKeyId : null,
    ip: clientIp(c),
    userAgent: userAgent(c),
  };
}
