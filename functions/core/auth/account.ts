import { eq, inArray } from 'drizzle-orm';
import { organizations, users } from '../../../db/schema';
import { hashPassword, verifyPassword } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { enqueueMail } from '../jobs/queue';
import { renderMail } from './mail-templates';
import { consumeOneTimeToken, createOneTimeToken } from './one-time-tokens';
import { revokeAllSessions, startSession } from './sessions';
import { checkSecondFactor } from './two-factor-settings';
import { countOwners, otherMemberCount } from '../orgs/organizations';
import { findUserByEmail, normalizeEmail, publicUser, userOrganizations, type UserRow } from './users';

type MailDeps = Pick<Services, 'db' | 'config' | 'queue'>;

export interface NewAccount {
  email: string;
  name: string;
  password: string;
  locale?: 'es' | 'en';
}

/** Creates the account (emails are unique, case-insensitively); 409 when one exists. */
export async function registerUser(services: Pick<Services, 'db'>, input: NewAccount): Promise<UserRow> {
  const { db } = services;
  if (await findUserByEmail(db, input.email)) throw new ApiError('conflict', 'An account with this email already exists');
  const [user] = await db
    .insert(users)
    .values({ email: normalizeEmail(input.email), name: input.name, passwordHash: await hashPassword(input.password), locale: input.locale ?? 'es' })
    .onConflictDoNothing()
    .returning();
  // Two registrations racing: the unique index lets one through.
  if (!user) throw new ApiError('conflict', 'An account with this email already exists');
  return user;
}

/** A new session for the user (refresh token family) and the time of their last sign-in. */
export async function signInUser(services: Pick<Services, 'db' | 'config'>, user: UserRow, meta: { userAgent: string | null; ip: string }) {
  const tokens = await startSession(services.db, services.config, user.id, meta);
  await services.db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  return tokens;
}

/** Mails a single-use link that confirms the address. */
export async function sendVerificationMail(services: MailDeps, user: UserRow) {
  const token = await createOneTimeToken(services.db, user.id, 'verify_email');
  const link = `${services.config.APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
  await enqueueMail(services, renderMail('verify', user.locale, user.email, { name: user.name, link }));
}

/** Confirms the address of the user the mailed token was for. */
export async function verifyEmail(services: Pick<Services, 'db'>, token: string) {
  const userId = await consumeOneTimeToken(services.db, token, 'verify_email');
  await services.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, userId));
}

/**
 * Mails a reset link when the account exists. Past the limit of mails per address nothing is sent,
 * silently: the caller answers the same either way, so the route cannot tell who has an account.
 */
export async function requestPasswordReset(services: MailDeps & Pick<Services, 'kv'>, email: string) {
  const limit = await services.kv.rateLimit(`forgot:${normalizeEmail(email)}`, 5, 3600);
  const user = limit.success ? await findUserByEmail(services.db, email) : undefined;
  if (!user) return;
  const token = await createOneTimeToken(services.db, user.id, 'reset_password');
  const link = `${services.config.APP_URL}/reset-password?token=${encodeURIComponent(token)}`;
  await enqueueMail(services, renderMail('reset', user.locale, user.email, { name: user.name, link }));
}

/** Sets the new password of the user the mailed token was for and signs out every session; returns the user's id. */
export async function resetPassword(services: Pick<Services, 'db' | 'kv' | 'config'>, token: string, password: string) {
  const userId = await consumeOneTimeToken(services.db, token, 'reset_password');
  await services.db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
  await revokeAllSessions(services, userId);
  return userId;
}

export interface ProfileChanges {
  name?: string;
  phone?: string | null;
  locale?: 'es' | 'en';
  avatarUrl?: string | null;
}

/** The user with their organizations, as /users/profile shows them. */
export async function userProfile(services: Pick<Services, 'db'>, user: UserRow) {
  return { ...publicUser(user), organizations: await userOrganizations(services.db, user.id) };
}

export async function updateProfile(services: Pick<Services, 'db'>, userId: string, changes: ProfileChanges) {
  const [updated] = await services.db.update(users).set(changes).where(eq(users.id, userId)).returning();
  return userProfile(services, updated);
}

/** A new password against the current one; every other session is signed out, the caller's is kept. */
export async function changePassword(
  services: Pick<Services, 'db' | 'kv' | 'config'>,
  user: UserRow,
  input: { currentPassword: string; newPassword: string; keepSession: string },
) {
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new ApiError('invalid_credentials', 'The current password is not correct');
  }
  await services.db.update(users).set({ passwordHash: await hashPassword(input.newPassword) }).where(eq(users.id, user.id));
  await revokeAllSessions(services, user.id, { except: input.keepSession });
}

/** What deleting the account would do to each organization the user belongs to. */
export async function accountDeletionPlan(db: Services['db'], userId: string) {
  const plan = { deletedWithAccount: [] as OrgRef[], leaving: [] as OrgRef[], blockedBy: [] as OrgRef[] };
  for (const org of await userOrganizations(db, userId)) {
    const ref = { id: org.id, name: org.name, role: org.role };
    const others = await otherMemberCount(db, org.id, userId);
    if (others === 0) plan.deletedWithAccount.push(ref);
    else if (org.role === 'owner' && (await countOwners(db, org.id)) <= 1) plan.blockedBy.push(ref);
    else plan.leaving.push(ref);
  }
  return plan;
}

interface OrgRef {
  id: string;
  name: string;
  role: string;
}

/**
 * Deletes the account with the organizations only it belongs to, after the password (and the
 * second factor, when on) is checked again. The sole owner of an organization others belong to
 * must hand it over first (409, naming them), so no organization is left without an owner. Every
 * session is revoked, access tokens included.
 */
export async function deleteAccount(
  services: Pick<Services, 'db' | 'kv' | 'config'>,
  user: UserRow,
  input: { password: string; code?: string },
) {
  const { db } = services;
  if (!(await verifyPassword(input.password, user.passwordHash))) throw new ApiError('invalid_credentials', 'The password is not correct');
  if (user.twoFactorEnabledAt) {
    if (!input.code) throw new ApiError('two_factor_required', 'Enter a code from your authenticator app (or a backup code)');
    if (!(await checkSecondFactor(services, user, input.code))) throw new ApiError('invalid_two_factor_code', 'The code is not correct');
  }
  const plan = await accountDeletionPlan(db, user.id);
  if (plan.blockedBy.length) {
    const names = plan.blockedBy.map((o) => `"${o.name}"`).join(', ');
    throw new ApiError('conflict', `You are the only owner of ${names}: make someone else owner first`, {
      details: { organizationId: plan.blockedBy[0].id, organizations: plan.blockedBy },
    });
  }
  await revokeAllSessions(services, user.id);
  await db.transaction(async (tx) => {
    if (plan.deletedWithAccount.length) await tx.delete(organizations).where(inArray(organizations.id, plan.deletedWithAccount.map((o) => o.id)));
    await tx.delete(users).where(eq(users.id, user.id));
  });
  return plan;
}
