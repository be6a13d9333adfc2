import { ApiError } from './errors';
import type { KV, RateLimitResult } from '../ports';

/** One hit against a sliding-window limit; over it, a 429 with Retry-After. */
export async function enforceRateLimit(kv: KV, key: string, limit: number, windowSeconds: number, message: string) {
  refuseIfLimited(await kv.rateLimit(key, limit, windowSeconds), message);
}

/** A 429 with Retry-After when `result` is over its limit. */
export function refuseIfLimited(result: RateLimitResult, message: string) {
  if (result.success) return;
  const retryAfter = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
  throw new ApiError('rate_limited', message, {
    headers: { 'Retry-After': String(retryAfter) },
    details: { retryAfterSeconds: retryAfter },
  });
}
