import { and, eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { memberships, users, type ApiKeyScope, type Role } from '../../db/schema';
import { verifyAccessToken } from '../core/auth/access-token';
import { assertAccessNotRevoked } from '../core/auth/revocation';
import { findApiKeyGrant } from '../core/orgs/api-keys';
import { countApiKeyUse } from '../core/orgs/api-key-usage';
import { ApiError } from '../lib/errors';
import { enforceRateLimit } from '../lib/rate-limit';
import type { AppEnv } from '../lib/env';
import type { OrgAccess, Principal } from '../lib/principal';

export type { OrgAccess, Principal };

export const API_KEY_PREFIX = 'vsk_';

const ROLE_RANK: Record<Role, number> = { viewer: 1, agent: 2, admin: 3, owner: 4 };

export function hasRole(role: Role, atLeast: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[atLeast];
}

/** First line of every write verb: fail with 403 unless the caller's role is at least `atLeast`. */
export function requireRole(access: OrgAccess, atLeast: Role): void {
  if (!hasRole(access.role, atLeast)) {
    throw new ApiError('insufficient_role', `This action needs the ${atLeast} role or higher`, {
      details: { required: atLeast, current: access.role },
    });
  }
}

export function bearerToken(c: Context<AppEnv>): string {
  const header = c.req.header('authorization');
  if (!header) throw new ApiError('unauthorized', 'Sign in first: the Authorization header is missing');
  const [scheme, token] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw new ApiError('unauthorized', 'The Authorization header must be "Bearer <token>"');
  }
  return token;
}

/**
 * An organization API key: valid, not revoked or expired, holding `scope`, and inside its own
 * requests-per-minute limit (429 with Retry-After past it). Every accepted request is counted
 * after the fact, so the count never delays the answer.
 */
export async function authenticateApiKey(c: Context<AppEnv>, key: string, scope: ApiKeyScope): Promise<Extract<Principal, { kind: 'apiKey' }>> {
  const services = c.get('services');
  const { kv } = services;
  const grant = await findApiKeyGrant(services, key);
  if (!grant) throw new ApiError('invalid_token', 'The API key is not valid or has been revoked');
  if (!grant.scopes.includes(scope)) {
    throw new ApiError('insufficient_scope', `This API key lacks the "${scope}" scope`, { details: { required: scope, current: grant.scopes.join(',') } });
  }
  if (grant.rateLimitPerMinute !== null) {
    await enforceRateLimit(kv, `api-key:${grant.id}`, grant.rateLimitPerMinute, 60, 'This API key is over its requests per minute; wait a moment');
  }
  // Counted in KV and flushed to the database by the sweep (core/orgs/api-key-usage.ts), never awaited.
  services.waitUntil(countApiKeyUse(kv, grant.id));
  return { kind: 'apiKey', apiKeyId: grant.id, organizationId: grant.organizationId, role: grant.role, scopes: grant.scopes };
}

/** Reading (GET, HEAD) needs the `read` scope; every other verb changes something and needs `admin`. */
function scopeForMethod(method: string): ApiKeyScope {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'admin';
}

/** Accepts a user's access token (JWT) or an organization API key (`vsk_…`). */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c);
  if (token.startsWith(API_KEY_PREFIX)) {
    c.set('principal', await authenticateApiKey(c, token, scopeForMethod(c.req.method)));
  } else {
    const { config, db, kv } = c.get('services');
    const claims = await verifyAccessToken(token, config.JWT_SECRET);
    // A deleted account's tokens, and a signed-out session's, stop working at once, not when
    // they expire: one SQL and one KV read, side by side.
    const [[user]] = await Promise.all([
      db.select({ id: users.id }).from(users).where(eq(users.id, claims.userId)).limit(1),
      assertAccessNotRevoked(kv, claims),
    ]);
    if (!user) throw new ApiError('invalid_token', 'The account behind this token no longer exists');
    c.set('principal', { kind: 'user', userId: claims.userId, sessionId: claims.sessionId });
  }
  await next();
});

/** Only a signed-in person (not an API key) may use account routes like profile and 2FA. */
export function requireUser(c: Context<AppEnv>): Extract<Principal, { kind: 'user' }> {
  const principal = c.get('principal');
  if (principal.kind !== 'user') throw new ApiError('forbidden', 'This route needs a user session, not an API key');
  return principal;
}

/**
 * Resolves which organization the request acts on and the caller's role in it: from the path
 * (`/organizations/{org_id}`), else the `X-Organization-Id` header, else the caller's only
 * organization. Organizations the caller does not belong to answer 404, never their data.
 */
export async function resolveOrg(c: Context<AppEnv>, explicitOrgId?: string): Promise<OrgAccess> {
  const principal = c.get('principal');
  const requested = explicitOrgId ?? c.req.header('x-organization-id') ?? undefined;
  if (requested !== undefined && !/^[0-9a-f-]{36}$/i.test(requested)) {
    throw new ApiError('not_found', 'Organization not found');
  }
  if (principal.kind === 'apiKey') {
    if (requested && requested !== principal.organizationId) throw new ApiError('not_found', 'Organization not found');
    return { organizationId: principal.organizationId, role: principal.role };
  }
  const { db } = c.get('services');
  const rows = await db
    .select({ organizationId: memberships.organizationId, role: memberships.role })
    .from(memberships)
    .where(
      requested
        ? and(eq(memberships.userId, principal.userId), eq(memberships.organizationId, requested))
        : eq(memberships.userId, principal.userId),
    )
    .limit(2);
  if (requested) {
    if (!rows[0]) throw new ApiError('not_found', 'Organization not found');
    return rows[0];
  }
  if (rows.length === 0) throw new ApiError('not_found', 'You do not belong to any organization yet');
  if (rows.length > 1) {
    throw new ApiError('bad_request', 'You belong to several organizations: send the X-Organization-Id header');
  }
  return rows[0];
}

/** Middleware form of `resolveOrg` for routers whose every route is org-scoped. */
export const withOrg = createMiddleware<AppEnv>(async (c, next) => {
  c.set('org', await resolveOrg(c, c.req.param('org_id')));
  await next();
});

/**
 * Route middleware form of `requireRole`: it runs before the body is validated, so a caller
 * without the role learns nothing about what a valid request would look like.
 */
export function minRole(atLeast: Role) {
  return createMiddleware<AppEnv>(async (c, next) => {
    requireRole(c.get('org'), atLeast);
    await next();
  });
}
