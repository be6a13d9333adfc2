import type { Context } from 'hono';
import type { AppEnv } from './env';
import type { AuditActor } from '../core/audit';

/**
 * What the Node server (`server.ts`) passes beside each request as the app's bindings: the
 * client's address (the socket's, or the X-Forwarded-For entry TRUST_PROXY vouches for). Any
 * address header the client sent is only a claim and is never read there.
 */
export interface NodeRequestBindings {
  clientIp: string;
}

/**
 * The caller's IP, for rate limits, sessions and the audit log. Each runtime trusts only what its
 * own front sets: on Workers Cloudflare's `cf-connecting-ip` (Cloudflare overwrites a client's);
 * on Node the server's binding. A `cf-connecting-ip` or `x-real-ip` sent to the Node server is
 * just a client's claim.
 */
export function clientIp(c: Context<AppEnv>): string {
  if (c.get('services').config.runtime === 'edge') return c.req.header('cf-connecting-ip') ?? 'unknown';
  return (c.env as Partial<NodeRequestBindings> | undefined)?.clientIp ?? 'unknown';
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
