import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { deleteConnection, publicConnection, requireConnection, saveConnection, SSO_PRESETS, findConnection } from '../core/sso/connections';
import { addDomain, listDomains, publicDomain, removeDomain, verifyDomainByAdminEmail, verifyDomainByDns } from '../core/sso/domains';
import { discover } from '../core/sso/oidc';
import { ssoRedirectUri } from '../core/sso/sign-in';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { currentUser } from './auth.shared';
import {
  AddSsoDomainSchema,
  SaveSsoConnectionSchema,
  SsoConnectionSchema,
  SsoDomainParamsSchema,
  SsoDomainSchema,
  SsoSettingsSchema,
  SsoTestResultSchema,
  VerifySsoDomainSchema,
} from './sso.schemas';

/** /api/v1/sso: the organization's single sign-on (identity provider and email domains); admins only. */
export const ssoRouter = createRouter();
const tags = ['Single sign-on'];
ssoRouter.use('*', authenticate, withOrg, minRole('admin'));

ssoRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Single sign-on settings: the provider, the domains and the redirect URI to register',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(SsoSettingsSchema, 'Settings (never the client secret)'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db, config } = c.get('services');
    const [connection, domains] = await Promise.all([findConnection(db, organizationId), listDomains(db, organizationId)]);
    return c.json(
      {
        connection: connection ? publicConnection(connection) : null,
        domains: domains.map(publicDomain),
        redirectUri: ssoRedirectUri(config),
        presets: SSO_PRESETS,
      },
      200,
    );
  },
);

ssoRouter.openapi(
  createRoute({
    method: 'put',
    path: '/connection',
    tags,
    summary: 'Set the identity provider (issuer, client id and secret, default role, SSO required)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, body: jsonBody(SaveSsoConnectionSchema) },
    responses: { 200: jsonContent(SsoConnectionSchema, 'Saved'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const input = c.req.valid('json');
    const refusal = await services.outbound.check(input.issuer);
    if (refusal) throw new ApiError('validation_failed', `The issuer URL may not be used: ${refusal}`);
    const row = await saveConnection(services.db, services.config.ENCRYPTION_KEY, organizationId, input);
    await recordAudit(services.db, auditActor(c), {
      action: 'sso.configured',
      organizationId,
      targetType: 'sso_connection',
      targetId: row.id,
      metadata: { issuer: row.issuer, role: row.defaultRole, fields: Object.keys(input).filter((k) => k !== 'clientSecret') },
    });
    return c.json(publicConnection(row), 200);
  },
);

ssoRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/connection',
    tags,
    summary: 'Remove the identity provider (people sign in with passwords again)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    await deleteConnection(db, organizationId);
    await recordAudit(db, auditActor(c), { action: 'sso.deleted', organizationId, targetType: 'sso_connection' });
    return c.body(null, 204);
  },
);

ssoRouter.openapi(
  createRoute({
    method: 'post',
    path: '/connection/test',
    tags,
    summary: 'Read the provider\u2019s discovery document (checks the issuer URL)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(SsoTestResultSchema, 'The provider answered'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const connection = await requireConnection(services.db, organizationId);
    const as = await discover(services, connection.issuer);
    return c.json(
      {
        ok: true as const,
        issuer: as.issuer,
        authorizationEndpoint: as.authorization_endpoint ?? '',
        tokenEndpoint: as.token_endpoint ?? '',
        jwksUri: as.jwks_uri ?? '',
      },
      200,
    );
  },
);

ssoRouter.openapi(
  createRoute({
    method: 'post',
    path: '/domains',
    tags,
    summary: 'Claim an email domain; verify it next',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, body: jsonBody(AddSsoDomainSchema) },
    responses: {
      201: jsonContent(SsoDomainSchema, 'Added, not yet verified'),
      409: errorResponse('Already on the list, or verified by another organization'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const row = await addDomain(db, organizationId, c.req.valid('json').domain);
    await recordAudit(db, auditActor(c), { action: 'sso.domain_added', organizationId, targetType: 'sso_domain', targetId: row.id, metadata: { domain: row.domain } });
    return c.json(publicDomain(row), 201);
  },
);

ssoRouter.openapi(
  createRoute({
    method: 'post',
    path: '/domains/{domain_id}/verify',
    tags,
    summary: 'Verify a domain by its TXT record, or by your own verified email on it',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: SsoDomainParamsSchema, body: jsonBody(VerifySsoDomainSchema) },
    responses: {
      200: jsonContent(SsoDomainSchema, 'Verified'),
      409: errorResponse('Verified by another organization meanwhile'),
      ...protectedErrors,
      503: errorResponse('The DNS resolver could not be reached'),
    },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const { domain_id } = c.req.valid('param');
    const { method } = c.req.valid('json');
    const admin = await currentUser(c);
    const row =
      method === 'dns'
        ? await verifyDomainByDns(services.db, services.config.DNS_RESOLVER_URL, organizationId, domain_id, admin.id)
        : await verifyDomainByAdminEmail(services.db, organizationId, domain_id, admin);
    await recordAudit(services.db, auditActor(c), {
      action: 'sso.domain_verified',
      organizationId,
      targetType: 'sso_domain',
      targetId: row.id,
      metadata: { domain: row.domain, method },
    });
    return c.json(publicDomain(row), 200);
  },
);

ssoRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/domains/{domain_id}',
    tags,
    summary: 'Give up a domain',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: SsoDomainParamsSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const row = await removeDomain(db, organizationId, c.req.valid('param').domain_id);
    await recordAudit(db, auditActor(c), { action: 'sso.domain_removed', organizationId, targetType: 'sso_domain', targetId: row.id, metadata: { domain: row.domain } });
    return c.body(null, 204);
  },
);

