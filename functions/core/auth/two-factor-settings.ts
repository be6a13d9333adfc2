import { eq } from 'drizzle-orm';
import { users } from '../../../db/schema';
import { decryptSecret, encryptSecret, verifyPassword } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { consumeBackupCode, deleteBackupCodes, newTotpSecret, otpauthUrl, regenerateBackupCodes, verifyTotp } from './two-factor';
import type { UserRow } from './users';

type TwoFactorDeps = Pick<Services, 'db' | 'kv' | 'config'>;

/** A six-digit code is checked as TOTP (once per window); anything else as a single-use backup code. */
export async function checkSecondFactor(services: TwoFactorDeps, user: UserRow, code: string): Promise<boolean> {
  if (!user.twoFactorSecret) return false;
  const secret = await decryptSecret(user.twoFactorSecret, services.config.ENCRYPTION_KEY);
  if (/^\d{6}$/.test(code.trim())) return verifyTotp(services.kv, user.id, secret, code);
  return consumeBackupCode(services.db, user.id, code);
}

/** Stores a new TOTP secret (encrypted); 2FA stays off until a code from it is confirmed. */
export async function beginTwoFactorSetup(services: Pick<Services, 'db' | 'config'>, user: UserRow) {
  if (user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is already on');
  const secret = newTotpSecret();
  await services.db
    .update(users)
    .set({ twoFactorSecret: await encryptSecret(secret, services.config.ENCRYPTION_KEY) })
    .where(eq(users.id, user.id));
  return { secret, otpauthUrl: otpauthUrl(secret, user.email) };
}

/** Turns 2FA on with a code from the new secret; returns the backup codes, shown once. */
export async function enableTwoFactor(services: TwoFactorDeps, user: UserRow, code: string) {
  if (user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is already on');
  if (!user.twoFactorSecret) throw new ApiError('conflict', 'Start the setup first (POST /api/v1/auth/2fa/setup)');
  const secret = await decryptSecret(user.twoFactorSecret, services.config.ENCRYPTION_KEY);
  if (!(await verifyTotp(services.kv, user.id, secret, code))) {
    throw new ApiError('invalid_two_factor_code', 'The code is not correct; check the time on your device');
  }
  await services.db.update(users).set({ twoFactorEnabledAt: new Date() }).where(eq(users.id, user.id));
  return regenerateBackupCodes(services.db, user.id);
}

/** Turns 2FA off: the password and a current code are both needed. */
export async function disableTwoFactor(services: TwoFactorDeps, user: UserRow, password: string, code: string) {
  if (!user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is not on');
  if (!(await verifyPassword(password, user.passwordHash))) throw new ApiError('invalid_credentials', 'The password is not correct');
  if (!(await checkSecondFactor(services, user, code))) throw new ApiError('invalid_two_factor_code', 'The code is not correct');
  await services.db.update(users).set({ twoFactorEnabledAt: null, twoFactorSecret: null }).where(eq(users.id, user.id));
  await deleteBackupCodes(services.db, user.id);
}

/** New backup codes (the old ones stop working), against a current code. */
export async function replaceBackupCodes(services: TwoFactorDeps, user: UserRow, code: string) {
  if (!user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is not on');
  if (!(await checkSecondFactor(services, user, code))) throw new ApiError('invalid_two_factor_code', 'The code is not correct');
  return regenerateBackupCodes(services.db, user.id);
}
