import { SignJWT, errors as joseErrors } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { VERIFIED_TOKENS_BOUND, verifyHs256 } from './jwt';

const encoder = new TextEncoder();
const SECRET = 'a-test-secret-that-is-long-enough-1';

function sign(claims: Record<string, unknown>, options: { secret?: string; issuer?: string; expiresAt?: number } = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(options.issuer ?? 'versaai')
    .setIssuedAt();
  if (options.expiresAt !== undefined) jwt.setExpirationTime(options.expiresAt);
  return jwt.sign(encoder.encode(options.secret ?? SECRET));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('verifyHs256', () => {
  it('checks a token\u2019s signature once, then answers from memory with the same claims', async () => {
    const token = await sign({ sub: `once-${crypto.randomUUID()}`, typ: 'widget' }, { expiresAt: nowSeconds() + 3600 });
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const first = await verifyHs256(token, SECRET, 'versaai');
    const second = await verifyHs256(token, SECRET, 'versaai');
    expect(second).toEqual(first);
    expect(second.typ).toBe('widget');
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token under another secret or issuer', async () => {
    const token = await sign({ sub: `other-${crypto.randomUUID()}` }, { expiresAt: nowSeconds() + 3600 });
    await verifyHs256(token, SECRET, 'versaai');
    await expect(verifyHs256(token, 'another-secret-that-is-long-enough-2', 'versaai')).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
    await expect(verifyHs256(token, SECRET, 'someone-else')).rejects.toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
    // Still good where it was good.
    await expect(verifyHs256(token, SECRET, 'versaai')).resolves.toMatchObject({ iss: 'versaai' });
  });

  it('refuses a remembered token once it has expired, with jose\u2019s own error', async () => {
    const expiresAt = nowSeconds() + 60;
    const token = await sign({ sub: `expiring-${crypto.randomUUID()}` }, { expiresAt });
    await verifyHs256(token, SECRET, 'versaai');
    // Only Date is faked (no timers), and only inside this block.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime((expiresAt - 1) * 1000);
      await expect(verifyHs256(token, SECRET, 'versaai')).resolves.toMatchObject({ exp: expiresAt });
      vi.setSystemTime(expiresAt * 1000);
      await expect(verifyHs256(token, SECRET, 'versaai')).rejects.toBeInstanceOf(joseErrors.JWTExpired);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never remembers a token that failed, and forgets the oldest past its bound', async () => {
    const good = await sign({ sub: `bound-${crypto.randomUUID()}` }, { expiresAt: nowSeconds() + 3600 });
    const tampered = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifyHs256(tampered, SECRET, 'versaai')).rejects.toThrow();
    await expect(verifyHs256(tampered, SECRET, 'versaai')).rejects.toThrow();

    await verifyHs256(good, SECRET, 'versaai');
    // The same claims with another `jti` make other tokens; each verified one is remembered.
    for (let i = 0; i < VERIFIED_TOKENS_BOUND; i++) {
      await verifyHs256(await sign({ sub: 'filler', jti: String(i) }, { expiresAt: nowSeconds() + 3600 }), SECRET, 'versaai');
    }
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await verifyHs256(good, SECRET, 'versaai');
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
