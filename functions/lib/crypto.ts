/**
 * Web Crypto helpers shared by both runtimes: password hashing, random tokens, digests, HMAC
 * signatures and AES-GCM for secrets stored in the database.
 */
const encoder = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const normalized = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(normalized + '='.repeat((4 - (normalized.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Lower-case hex, two digits a byte (how digests and signatures travel in headers and rows). */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The bytes of a hex string of exactly `length` bytes, or null when it is anything else. */
export function fromHex(hex: string, length: number): Uint8Array | null {
  if (hex.length !== length * 2 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function bytesOf(data: string | Uint8Array): BufferSource {
  return (typeof data === 'string' ? encoder.encode(data) : data) as BufferSource;
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytesOf(data)));
}

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** hex(HMAC-SHA256(secret, message)). */
export async function hmacSha256Hex(secret: string, message: string | Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), bytesOf(message)));
}

/** Whether `hexSignature` is HMAC-SHA256(secret, message); `crypto.subtle.verify` compares in constant time. */
export async function verifyHmacSha256Hex(secret: string, message: string | Uint8Array, hexSignature: string): Promise<boolean> {
  const signature = fromHex(hexSignature, 32);
  if (!signature) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), signature as BufferSource, bytesOf(message));
}

/** Compare two strings without leaking where they differ through timing. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

// Workers cap PBKDF2 at 100k iterations; the version prefix lets us raise cost or switch KDF
// later and rehash on the next successful login.
const PASSWORD_SCHEME = 'pbkdf2-sha256';
const PASSWORD_ITERATIONS = 100_000;

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, PASSWORD_ITERATIONS);
  return `${PASSWORD_SCHEME}$${PASSWORD_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== PASSWORD_SCHEME || !iterations || !salt || !hash) return false;
  const candidate = await pbkdf2(password, fromBase64Url(salt), Number(iterations));
  return timingSafeEqual(toBase64Url(candidate), hash);
}

/** A hash with the same cost, so a login for an unknown email takes as long as a real one. */
export const DUMMY_PASSWORD_HASH = `${PASSWORD_SCHEME}$${PASSWORD_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;

async function aesKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest('SHA-256', encoder.encode(secret));
  return crypto.subtle.importKey('raw', material, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** AES-GCM with a random 96-bit IV: `v1.<iv>.<ciphertext>`. */
export async function encryptSecret(plaintext: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await aesKey(secret), encoder.encode(plaintext));
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(cipher))}`;
}

export async function decryptSecret(payload: string, secret: string): Promise<string> {
  const [version, iv, data] = payload.split('.');
  if (version !== 'v1' || !iv || !data) throw new Error('Unsupported ciphertext format');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv) as BufferSource },
    await aesKey(secret),
    fromBase64Url(data) as BufferSource,
  );
  return new TextDecoder().decode(plain);
}
