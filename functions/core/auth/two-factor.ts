import { and, eq, isNull } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { backupCodes } from '../../../db/schema';
import type { Database, KV } from '../../ports';
import { sha256Hex } from '../../lib/crypto';

const ISSUER = 'VersaAI';
const BACKUP_CODE_COUNT = 10;
const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string) {
  return new OTPAuth.TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
}

export function otpauthUrl(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/**
 * RFC 6238 check with ±1 step of clock drift. A code is accepted once: the last used time step is
 * remembered so a code seen over someone's shoulder cannot be replayed within its window.
 */
export async function verifyTotp(kv: KV, userId: string, secret: string, code: string): Promise<boolean> {
  const clean = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(clean)) return false;
  const delta = totp(secret, userId).validate({ token: clean, window: 1 });
  if (delta === null) return false;
  const step = Math.floor(Date.now() / 30_000) + delta;
  const key = `totp:last-step:${userId}`;
  const last = await kv.get<number>(key);
  if (last !== null && step <= last) return false;
  await kv.set(key, step, { ttlSeconds: 120 });
  return true;
}

function normalizeBackupCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

function randomBackupCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const chars = [...bytes].map((b) => BASE32[b % BASE32.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** Replaces a user's backup codes; returns the plaintext codes, shown once. */
export async function regenerateBackupCodes(db: Database, userId: string): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, randomBackupCode);
  await deleteBackupCodes(db, userId);
  await db
    .insert(backupCodes)
    .values(await Promise.all(codes.map(async (code) => ({ userId, codeHash: await sha256Hex(normalizeBackupCode(code)) }))));
  return codes;
}

export async function deleteBackupCodes(db: Database, userId: string): Promise<void> {
  await db.delete(backupCodes).where(eq(backupCodes.userId, userId));
}

export async function consumeBackupCode(db: Database, userId: string, code: string): Promise<boolean> {
  const used = await db
    .update(backupCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(backupCodes.userId, userId),
        eq(backupCodes.codeHash, await sha256Hex(normalizeBackupCode(code))),
        isNull(backupCodes.usedAt),
      ),
    )
    .returning({ id: backupCodes.id });
  return used.length > 0;
}

export async function remainingBackupCodes(db: Database, userId: string): Promise<number> {
  const rows = await db
    .select({ id: backupCodes.id })
    .from(backupCodes)
    .where(and(eq(backupCodes.userId, userId), isNull(backupCodes.usedAt)));
  return rows.length;
}
