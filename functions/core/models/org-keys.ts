import { eq } from 'drizzle-orm';
import { bots } from '../../../db/schema';
import { decryptSecret } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
import { presetOf } from './presets';
import type { OrgProviderKey } from './registry';
import { loadStoredKeys, type StoredProviderKey } from './stored-keys';

export { loadStoredKeys, type StoredProviderKey };

export async function decryptKeys(services: Pick<Services, 'config'>, stored: StoredProviderKey[]): Promise<OrgProviderKey[]> {
  return Promise.all(
    stored.map(async (k) => ({ provider: k.provider, apiKey: await decryptSecret(k.apiKeyEncrypted, services.config.ENCRYPTION_KEY), baseUrl: k.baseUrl, models: k.models })),
  );
}

export async function orgProviderKeys(services: Pick<Services, 'db' | 'config'>, organizationId: string): Promise<OrgProviderKey[]> {
  return decryptKeys(services, await loadStoredKeys(services, organizationId));
}

/** Bots cache their organization's keys; a key change must reach them at once. */
export async function forgetOrganizationBots(services: Pick<Services, 'db' | 'kv'>, organizationId: string) {
  const rows = await services.db.select({ id: bots.id }).from(bots).where(eq(bots.organizationId, organizationId));
  await Promise.all(rows.map((r) => forgetBot(services, r.id)));
}

/** Where each provider's API lives when the key comes without a base URL. */
export const PROVIDER_BASE_URLS: Record<'openai' | 'groq', string> = {
  openai: 'https://api.openai.com/v1',
  groq: 'https://api.groq.com/openai/v1',
};

/**
 * What checking a key found. `invalid_key`, `wrong_url`, `unreachable` and `address_refused` stop
 * the save: the key or URL cannot work. A rate limit or a provider error says nothing about the
 * key, so those save it with a warning rather than refuse a key that may well be right.
 */
export type KeyCheck =
  | { status: 'verified'; models: string[] }
  | { status: 'unverified'; reason: 'rate_limited' | 'provider_error' }
  | { status: 'refused'; reason: 'invalid_key' | 'wrong_url' | 'unreachable' | 'address_refused'; detail: string };

const KEY_CHECK_TIMEOUT_MS = 8000;
/** Large enough for OpenRouter's few hundred models; past it the ids read so far are kept. */
const MODEL_LIST_MAX_BYTES = 2 * 1024 * 1024;

/** The base URL a key's calls go to: the one given, else the provider's (or preset's) own. */
export function providerBaseUrl(provider: OrgProviderKey['provider'], baseUrl: string | null): string {
  const own = provider === 'openai' || provider === 'groq' ? PROVIDER_BASE_URLS[provider] : (presetOf(provider)?.baseUrl ?? '');
  return (baseUrl ?? own).replace(/\/+$/, '');
}

/**
 * Model ids from an OpenAI-style `{ data: [{ id }] }` list. A list cut at the size bound is not
 * JSON any more, so the ids are then read from its text. Gemini prefixes its ids with `models/`.
 */
export function modelIdsOf(body: string): string[] {
  let ids: string[];
  try {
    const parsed = JSON.parse(body) as { data?: Array<{ id?: unknown }>; models?: Array<{ id?: unknown; name?: unknown }> };
    const entries = parsed.data ?? parsed.models ?? [];
    ids = entries.map((e) => (typeof e.id === 'string' ? e.id : typeof (e as { name?: unknown }).name === 'string' ? String((e as { name: string }).name) : '')).filter(Boolean);
  } catch {
    ids = [...body.matchAll(/"id"\s*:\s*"([^"]{1,200})"/g)].map((m) => m[1]);
  }
  return [...new Set(ids.map((id) => id.replace(/^models\//, '')))];
}

/** Asks the provider, with the key, for its cheapest authenticated answer: the model list. */
export async function checkProviderKey(
  services: Pick<Services, 'outbound' | 'config'>,
  input: { provider: OrgProviderKey['provider']; apiKey: string; baseUrl: string | null },
): Promise<KeyCheck> {
  const base = providerBaseUrl(input.provider, input.baseUrl);
  try {
    const response = await services.outbound.send({
      url: `${base}/models`,
      method: 'GET',
      headers: { authorization: `Bearer ${input.apiKey}`, accept: 'application/json' },
      timeoutMs: KEY_CHECK_TIMEOUT_MS,
      maxResponseBytes: MODEL_LIST_MAX_BYTES,
    });
    if (response.status >= 200 && response.status < 300) return { status: 'verified', models: modelIdsOf(response.body) };
    if (response.status === 401 || response.status === 403) return { status: 'refused', reason: 'invalid_key', detail: `The provider answered HTTP ${response.status}` };
    if (response.status === 404) return { status: 'refused', reason: 'wrong_url', detail: `${base}/models answered HTTP 404` };
    if (response.status === 429) return { status: 'unverified', reason: 'rate_limited' };
    return { status: 'unverified', reason: 'provider_error' };
  } catch (error) {
    if (error instanceof OutboundRefused) return { status: 'refused', reason: 'address_refused', detail: error.message };
    const message = error instanceof OutboundTimeout ? `No answer within ${KEY_CHECK_TIMEOUT_MS} ms` : error instanceof Error ? error.message : String(error);
    return { status: 'refused', reason: 'unreachable', detail: message };
  }
}

/**
 * Why a model call failed, as a class the dashboard translates. The AI SDK's API errors carry the
 * provider's HTTP status; anything without one is the network or a timeout.
 */
export type ModelFailure = 'invalid_key' | 'rate_limited' | 'provider_down' | 'model_not_found' | 'not_configured' | 'timeout' | 'unreachable' | 'unknown';

export function classifyModelError(error: unknown): ModelFailure {
  if (error instanceof ApiError) return error.code === 'bad_request' ? 'not_configured' : 'unknown';
  const err = error as { statusCode?: number; name?: string; message?: string; cause?: unknown } | null;
  if (!err || typeof err !== 'object') return 'unknown';
  const status = err.statusCode;
  if (status === 401 || status === 403) return 'invalid_key';
  if (status === 429) return 'rate_limited';
  if (status === 404) return 'model_not_found';
  if (status !== undefined && status >= 500) return 'provider_down';
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  if (err.name === 'AI_RetryError' && 'lastError' in err) return classifyModelError((err as { lastError: unknown }).lastError);
  if (err.cause) {
    const inner = classifyModelError(err.cause);
    if (inner !== 'unknown') return inner;
  }
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|network/i.test(err.message ?? '')) return 'unreachable';
  return 'unknown';
}
