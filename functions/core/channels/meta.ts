import type { Config } from '../../lib/config';
import { hmacSha256Hex, verifyHmacSha256Hex } from '../../lib/crypto';
import { callPlatform, clip, isFailure, retryAfterSeconds, type PlatformResponse } from './http';
import type { PlatformFailure, PlatformResult } from './types';

/**
 * What WhatsApp Cloud API, Messenger and Instagram share: Meta's webhook handshake and signature,
 * Graph API URLs, and how Graph errors read (`{ error: { code, error_subcode, message } }`).
 */
export function graphUrl(config: Pick<Config, 'META_GRAPH_API_URL' | 'META_GRAPH_API_VERSION'>, path: string) {
  return `${config.META_GRAPH_API_URL}/${config.META_GRAPH_API_VERSION}/${path.replace(/^\/+/, '')}`;
}

/**
 * `X-Hub-Signature-256: sha256=<hex>` is HMAC-SHA256 of the exact bytes Meta sent, keyed with the
 * app secret. Checked on the raw body before parsing: re-serialized JSON would not match, and an
 * unverified body must not reach the parser at all. The comparison is constant-time.
 */
export async function verifyMetaSignature(appSecret: string, rawBody: Uint8Array, header: string | undefined): Promise<boolean> {
  if (!header?.startsWith('sha256=')) return false;
  return verifyHmacSha256Hex(appSecret, rawBody, header.slice('sha256='.length));
}

export async function signMetaPayload(appSecret: string, rawBody: string | Uint8Array): Promise<string> {
  return `sha256=${await hmacSha256Hex(appSecret, rawBody)}`;
}

// Graph codes that mean "slow down" or "try again": throttling (4, 17, 32, 613, 80007, 130429),
// WhatsApp's per-user pair limit (131056), spam rate limit (131048), and service errors (1, 2, 131000, 131016, 133004).
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 80006, 80007, 130429, 131000, 131016, 131048, 131056, 133004]);
// The token itself is refused: expired or revoked (190), a session problem (102), missing
// permission (10 without a subcode, 200-299), or the WhatsApp account is locked or disabled.
const CREDENTIAL_CODES = new Set([102, 190, 131005, 131031, 368]);

const WINDOW_REASONS: Record<string, string> = {
  whatsapp: 'Outside WhatsApp\u2019s 24-hour customer service window: the customer has to write first (or use an approved template).',
  meta: 'Outside the 24-hour messaging window: the customer has to write first.',
};

interface GraphError {
  code?: number;
  error_subcode?: number;
  message?: string;
  is_transient?: boolean;
  error_data?: { details?: string } | string;
  error_user_msg?: string;
}

/** Turns a failed Graph response into a reason a person can act on, and whether to retry. */
export function metaFailure(response: PlatformResponse): PlatformFailure {
  const error: GraphError = response.json?.error ?? {};
  const code = typeof error.code === 'number' ? error.code : undefined;
  const subcode = error.error_subcode;
  const details = typeof error.error_data === 'object' ? error.error_data?.details : undefined;
  const base = clip(`${details ?? error.error_user_msg ?? error.message ?? `HTTP ${response.status}`}${code ? ` (Meta error ${code}${subcode ? `/${subcode}` : ''})` : ''}`);
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  const transient = response.status >= 500 || response.status === 429 || error.is_transient === true || (code !== undefined && TRANSIENT_CODES.has(code));
  if (transient) return { ok: false, transient: true, reason: base, retryAfterSeconds: retryAfter, status: response.status };
  if (code === 131047) return { ok: false, transient: false, credentialsRejected: false, reason: `${WINDOW_REASONS.whatsapp} ${base}`, status: response.status };
  if (code === 10 && (subcode === 2018278 || subcode === 2534022)) {
    return { ok: false, transient: false, credentialsRejected: false, reason: `${WINDOW_REASONS.meta} ${base}`, status: response.status };
  }
  const credentialsRejected =
    response.status === 401 || (code !== undefined && (CREDENTIAL_CODES.has(code) || (code >= 200 && code <= 299) || (code === 10 && !subcode)));
  const reason = credentialsRejected && code === 190 ? `The access token is invalid or has expired; connect the channel again with a new token. ${base}` : base;
  return { ok: false, transient: false, reason, credentialsRejected, status: response.status };
}

/** A Graph call with a Bearer token; 2xx bodies come back as they are, anything else as a failure. */
export async function graphCall<T>(
  config: Config,
  path: string,
  token: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {},
): Promise<PlatformResult<{ data: T }>> {
  const response = await callPlatform(graphUrl(config, path), {
    ...init,
    headers: { Authorization: `Bearer ${token}` },
    timeoutMs: config.CHANNEL_API_TIMEOUT_MS,
  });
  if (isFailure(response)) return response;
  if (response.status < 200 || response.status >= 300 || response.json?.error) return metaFailure(response);
  return { ok: true, data: response.json as T };
}

/** Meta's subscription handshake: echo `hub.challenge` only for our verify token. */
export function metaChallenge(query: Record<string, string | undefined>, verifyToken: string, equal: (a: string, b: string) => boolean) {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'] ?? '';
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || !challenge || !equal(token, verifyToken)) return null;
  return challenge;
}
