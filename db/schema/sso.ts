import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { organizations, roleEnum, users } from './tenancy';

/**
 * One OpenID Connect identity provider per organization (single sign-on). The client secret is
 * AES-GCM encrypted with ENCRYPTION_KEY and never leaves the server.
 */
export const ssoConnections = pgTable(
  'sso_connections',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** `google`, `microsoft` or `custom`: only what the dashboard prefills; the issuer is what counts. */
    preset: varchar('preset', { length: 20 }).notNull().default('custom'),
    issuer: text('issuer').notNull(),
    clientId: varchar('client_id', { length: 255 }).notNull(),
    clientSecretEncrypted: text('client_secret_encrypted').notNull(),
    /** Role given to people who join through SSO the first time (just-in-time membership). */
    defaultRole: roleEnum('default_role').notNull().default('agent'),
    /** People whose email is on one of the verified domains must sign in through SSO. */
    ssoRequired: boolean('sso_required').notNull().default(false),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('sso_connections_org_key').on(t.organizationId)],
);

/**
 * Email domains an organization claims for SSO. A claim counts once verified (a DNS TXT record,
 * or an admin whose own verified email is on the domain); a verified domain belongs to one
 * organization only.
 */
export const ssoDomains = pgTable(
  'sso_domains',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    domain: varchar('domain', { length: 253 }).notNull(),
    /** Published as `versaai-verification=<token>` in a TXT record of the domain. */
    verificationToken: varchar('verification_token', { length: 64 }).notNull(),
    verifiedAt: ts('verified_at'),
    /** `dns` or `admin_email`. */
    verificationMethod: varchar('verification_method', { length: 20 }),
    verifiedBy: uuid('verified_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('sso_domains_org_domain_key').on(t.organizationId, t.domain),
    uniqueIndex('sso_domains_verified_domain_key').on(t.domain).where(sql`${t.verifiedAt} is not null`),
    index('sso_domains_domain_idx').on(t.domain),
  ],
);
