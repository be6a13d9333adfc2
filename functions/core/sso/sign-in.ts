import { eq } from 'drizzle-orm';
import { memberships, users, type Role } from '../../../db/schema';
import { hashPassword, randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { findUserByEmail, normalizeEmail, type UserRow } from '../auth/users';
import { clientSecretOf, findConnection, type SsoConnectionRow } from './connections';
import { emailDomain, listDomains, verifiedDomainOwner } from './domains';
import { authorizationUrl, discover, exchangeCode, ssoFailure } from './oidc';

type SsoDeps = Pick<Services, 'db' | 'kv' | 'config' | 'outbound'>;

/** How long a started sign-in may take at the provider; state, nonce and verifier expire with it. */
const FLOW_TTL_SECONDS = 600;

interface PendingFlow {
  organizationId: string;
  connectionId: string;
  codeVerifier: string;
  nonce: string;
}

const flowKey = (stateHash: string) => `sso:flow:${stateHash}`;
const usedKey = (stateHash: string) => `sso:used:${stateHash}`;

/** Where the provider sends the browser back: the dashboard page that finishes the sign-in. */
export function ssoRedirectUri(config: Services['config']): string {
  return `${config.APP_URL}/sso/callback`;
}

/** The enabled SSO connection that covers this email's domain, with its organization, or null. */
export async function ssoForEmail(db: Services['db'], email: string): Promise<SsoConnectionRow | null> {
  const domain = await verifiedDomainOwner(db, emailDomain(normalizeEmail(email)));
  if (!domain) return null;
  const connection = await findConnection(db, domain.organizationId);
  return connection?.enabled ? connection : null;
}

/** Refuses a password sign-in or reset for an email whose organization requires SSO. */
export async function refuseWhenSsoRequired(db: Services['db'], email: string): Promise<void> {
  const connection = await ssoForEmail(db, email);
  if (connection?.ssoRequired) {
    throw new ApiError('sso_required', `Accounts on ${emailDomain(email)} sign in with single sign-on: use "Continue with SSO"`, {
      details: { organizationId: connection.organizationId },
    });
  }
}

/** Starts a sign-in: the provider's authorization URL; state, nonce and PKCE verifier stay in KV. */
export async function startSsoSignIn(deps: SsoDeps, email: string) {
  const connection = await ssoForEmail(deps.db, email);
  if (!connection) throw ssoFailure('not_configured', `Single sign-on is not set up for ${emailDomain(email)}`);
  const as = await discover(deps, connection.issuer);
  const start = await authorizationUrl(as, connection.clientId, ssoRedirectUri(deps.config), normalizeEmail(email));
  const flow: PendingFlow = {
    organizationId: connection.organizationId,
    connectionId: connection.id,
    codeVerifier: start.codeVerifier,
    nonce: start.nonce,
  };
  await deps.kv.set(flowKey(await sha256Hex(start.state)), flow, { ttlSeconds: FLOW_TTL_SECONDS });
  return { authorizationUrl: start.url, organizationId: connection.organizationId };
}

/**
 * The flow this state started, claimed for good: a state is used once. The claim is a limit of
 * one hit, atomic in every KV adapter, so two callbacks racing with the same state get one winner.
 */
async function claimFlow(kv: Services['kv'], state: string | null): Promise<PendingFlow> {
  if (!state) throw ssoFailure('state_invalid', 'The sign-in answer has no state; start again from the sign-in page');
  const stateHash = await sha256Hex(state);
  const flow = await kv.get<PendingFlow>(flowKey(stateHash));
  if (!flow) throw ssoFailure('state_invalid', 'This sign-in is unknown or has expired; start again from the sign-in page');
  const claim = await kv.rateLimit(usedKey(stateHash), 1, FLOW_TTL_SECONDS);
  if (!claim.success) throw ssoFailure('replayed', 'This sign-in answer was already used; start again from the sign-in page');
  return flow;
}

export interface SsoSignInResult {
  user: UserRow;
  organizationId: string;
  createdUser: boolean;
  joined: { role: Role } | null;
}

/** Finishes a sign-in from the provider's answer: checks it all, then finds, creates or joins the user. */
export async function completeSsoSignIn(deps: SsoDeps, callbackQuery: string): Promise<SsoSignInResult> {
  const params = new URLSearchParams(callbackQuery.replace(/^\?/, ''));
  const state = params.get('state');
  const flow = await claimFlow(deps.kv, state);
  const connection = await findConnection(deps.db, flow.organizationId);
  if (!connection || connection.id !== flow.connectionId || !connection.enabled) {
    throw ssoFailure('not_configured', 'Single sign-on was changed or turned off during this sign-in; start again');
  }
  const as = await discover(deps, connection.issuer);
  const claims = await exchangeCode(deps, {
    as,
    clientId: connection.clientId,
    clientSecret: await clientSecretOf(connection, deps.config.ENCRYPTION_KEY),
    redirectUri: ssoRedirectUri(deps.config),
    callbackParams: params,
    state: state!,
    codeVerifier: flow.codeVerifier,
    nonce: flow.nonce,
  });
  if (!claims.email) throw ssoFailure('email_unverified', 'The identity provider did not share an email address');
  if (!claims.emailVerified) throw ssoFailure('email_unverified', `The identity provider has not verified ${claims.email}`);
  const domain = emailDomain(claims.email);
  const allowed = (await listDomains(deps.db, connection.organizationId)).some((d) => d.verifiedAt && d.domain === domain);
  if (!allowed) throw ssoFailure('domain_not_allowed', `${domain} is not one of this organization\u2019s single sign-on domains`);
  return provisionMember(deps, connection, { email: claims.email, name: claims.name });
}

/** The existing account for the email, or a new one (verified by the provider, no usable password). */
async function findOrCreateUser(deps: SsoDeps, person: { email: string; name?: string }): Promise<{ user: UserRow; created: boolean }> {
  const existing = await findUserByEmail(deps.db, person.email);
  if (existing) {
    if (!existing.emailVerifiedAt) {
      const [verified] = await deps.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, existing.id)).returning();
      return { user: verified, created: false };
    }
    return { user: existing, created: false };
  }
  const [created] = await deps.db
    .insert(users)
    .values({
      email: normalizeEmail(person.email),
      name: person.name?.trim().slice(0, 200) || person.email.split('@')[0],
      // Nobody knows this password: the account signs in through SSO (or sets one with a reset).
      passwordHash: await hashPassword(randomToken(32)),
      emailVerifiedAt: new Date(),
    })
    .onConflictDoNothing()
    .returning();
  // Two first sign-ins racing: the unique index lets one insert through, the other reads it.
  if (!created) return { user: (await findUserByEmail(deps.db, person.email))!, created: false };
  return { user: created, created: true };
}

/** Just-in-time membership: someone signing in through the organization's SSO joins it with the default role. */
async function provisionMember(deps: SsoDeps, connection: SsoConnectionRow, person: { email: string; name?: string }): Promise<SsoSignInResult> {
  const { user, created } = await findOrCreateUser(deps, person);
  const inserted = await deps.db
    .insert(memberships)
    .values({ organizationId: connection.organizationId, userId: user.id, role: connection.defaultRole })
    .onConflictDoNothing()
    .returning({ role: memberships.role });
  return { user, organizationId: connection.organizationId, createdUser: created, joined: inserted[0] ? { role: inserted[0].role } : null };
}
