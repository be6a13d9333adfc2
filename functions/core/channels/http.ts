import type { PlatformFailure } from './types';

/**
 * The one way we call a platform API: JSON in, JSON out, a deadline, and every failure turned into
 * a `PlatformFailure` (never a throw), so callers decide between retrying and giving up.
 *
 * Not through the outbound port: the origins (`META_GRAPH_API_URL`, `TELEGRAM_API_URL`) are the
 * operator's settings, and what a tenant supplies (ids, tokens) only lands in the path after them,
 * where it cannot change the host. A tenant-settable API origin would have to use `services.outbound`.
 */
export interface PlatformResponse {
  status: number;
  headers: Headers;
  json: any;
}

const MAX_REASON = 500;

export async function callPlatform(
  url: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; headers?: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<PlatformResponse | PlatformFailure> {
  // A form (URLSearchParams) goes as one, for the methods that document only form arguments.
  const form = init.body instanceof URLSearchParams;
  try {
    const response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { Accept: 'application/json', ...(init.body === undefined ? {} : { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : form ? (init.body as URLSearchParams) : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { raw: text.slice(0, MAX_REASON) };
    }
    return { status: response.status, headers: response.headers, json };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      ok: false,
      transient: true,
      reason: timedOut ? `No answer within ${init.timeoutMs} ms` : `Could not reach the platform: ${errorMessage(error)}`,
    };
  }
}

export function isFailure(value: PlatformResponse | PlatformFailure): value is PlatformFailure {
  return 'ok' in value && value.ok === false;
}

/** `Retry-After` as seconds (delta or HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON);
}

export const clip = (text: string) => (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text);
