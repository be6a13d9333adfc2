import { eq } from 'drizzle-orm';
import { providerKeys } from '../../../db/schema';
import { encryptSecret } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { outboundPolicy, PRIVATE_URLS_SETTING, urlNotAllowed } from '../../lib/network';
import { decryptSecret } from '../../lib/crypto';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { checkProviderKey, forgetOrganizationBots, type KeyCheck } from './org-keys';
import { PROVIDER_PRESETS, presetOf } from './presets';

type Provider = (typeof providerKeys.$inferSelect)['provider'];

export interface ProviderKeyInput {
  apiKey: string;
  baseUrl?: string;
  models?: string[];
}

/** What the API shows of a stored key: never the key, only its last characters. */
function publicKey(row: typeof providerKeys.$inferSelect) {
  return { provider: row.provider, keyHint: `…${row.keyHint}`, baseUrl: row.baseUrl, models: row.models, updatedAt: row.updatedAt.toISOString() };
}

const REFUSALS = {
  invalid_key: { path: 'apiKey', message: 'The provider rejected this key' },
  wrong_url: { path: 'baseUrl', message: 'No OpenAI-compatible API at this address (GET /models answered 404)' },
  unreachable: { path: 'baseUrl', message: 'The provider could not be reached' },
  address_refused: { path: 'baseUrl', message: 'This address is not allowed' },
} as const;

/** A key the provider refused is not saved: the error names the field and carries the reason as its code. */
function refuse(check: Extract<KeyCheck, { status: 'refused' }>): never {
  const { path, message } = REFUSALS[check.reason];
  throw new ApiError('validation_failed', `${message}: ${check.detail}`, { details: [{ path, message, code: check.reason }] });
}

export async function listProviderKeys(services: Pick<Services, 'db'>, organizationId: string) {
  const rows = await services.db.select().from(providerKeys).where(inOrg(providerKeys, organizationId));
  return rows.map(publicKey);
}

/**
 * Checks the key with the provider and stores it encrypted (replacing the provider's previous key);
 * the organization's bots reload their models.
 */
/** Local presets (Ollama, LM Studio) exist only where the operator lets tenants reach private addresses. */
function localAllowed(services: Pick<Services, 'config'>) {
  return outboundPolicy(services.config).allowPrivate;
}

/** The presets, each saying whether this deployment offers it. */
export function listPresets(services: Pick<Services, 'config'>) {
  const allowLocal = localAllowed(services);
  return PROVIDER_PRESETS.map((p) => ({ ...p, available: !p.local || allowLocal }));
}

/** Models to offer when none were named: the provider's own list, unless it is too long to be a choice. */
const MAX_MODELS_KEPT = 50;
function modelsToKeep(provider: Provider, given: string[] | undefined, check: KeyCheck): string[] {
  if (given?.length) return given;
  const preset = presetOf(provider);
  if (!preset) return [];
  const listed = check.status === 'verified' ? check.models : [];
  if (listed.length > 0 && listed.length <= MAX_MODELS_KEPT) return listed;
  const suggested = preset.suggestedModels.filter((m) => listed.length === 0 || listed.includes(m));
  return suggested.length > 0 ? suggested : listed.slice(0, MAX_MODELS_KEPT);
}

export async function saveProviderKey(services: Services, organizationId: string, provider: Provider, input: ProviderKeyInput) {
  if (presetOf(provider)?.local && !localAllowed(services)) {
    const message = `Local providers are available only where the operator allows private addresses (${PRIVATE_URLS_SETTING})`;
    throw new ApiError('validation_failed', message, { details: [{ path: 'provider', message, code: 'local_provider_not_allowed' }] });
  }
  if (provider === 'compatible' && (!input.baseUrl || !input.models?.length)) {
    throw new ApiError('validation_failed', 'A compatible server needs its base URL and the names of its models', {
      details: [{ path: input.baseUrl ? 'models' : 'baseUrl', message: 'Required for compatible servers', code: 'custom' }],
    });
  }
  // Checked on save for a clear answer; every call checks again (DNS can change after saving).
  const refusal = input.baseUrl ? await services.outbound.check(input.baseUrl) : null;
  if (refusal) throw urlNotAllowed(refusal, 'baseUrl');
  const check = await checkProviderKey(services, { provider, apiKey: input.apiKey, baseUrl: input.baseUrl ?? null });
  if (check.status === 'refused') refuse(check);
  const values = {
    apiKeyEncrypted: await encryptSecret(input.apiKey, services.config.ENCRYPTION_KEY),
    keyHint: input.apiKey.slice(-4),
    baseUrl: input.baseUrl ?? null,
    models: modelsToKeep(provider, input.models, check),
  };
  const [row] = await services.db
    .insert(providerKeys)
    .values({ organizationId, provider, ...values })
    .onConflictDoUpdate({ target: [providerKeys.organizationId, providerKeys.provider], set: values })
    .returning();
  await forgetOrganizationBots(services, organizationId);
  return { ...publicKey(row), check: check.status === 'verified' ? { status: check.status } : { status: check.status, reason: check.reason } };
}

/**
 * The provider's model list read with the stored key, for the dashboard's model picker. A provider
 * without a list (or one that fails) answers with the preset's suggestions and the stored names.
 */
export async function listProviderModels(services: Services, organizationId: string, provider: Provider) {
  const [row] = await services.db.select().from(providerKeys).where(inOrg(providerKeys, organizationId, eq(providerKeys.provider, provider)));
  if (!row) throw new ApiError('not_found', 'No key for this provider');
  const apiKey = await decryptSecret(row.apiKeyEncrypted, services.config.ENCRYPTION_KEY);
  const check = await checkProviderKey(services, { provider, apiKey, baseUrl: row.baseUrl });
  if (check.status === 'verified' && check.models.length > 0) return { data: check.models.map((id) => ({ id })), source: 'provider' as const };
  const fallback = [...new Set([...row.models, ...(presetOf(provider)?.suggestedModels ?? [])])];
  return { data: fallback.map((id) => ({ id })), source: 'suggested' as const };
}

export async function removeProviderKey(services: Pick<Services, 'db' | 'kv'>, organizationId: string, provider: Provider) {
  const deleted = await services.db
    .delete(providerKeys)
    .where(inOrg(providerKeys, organizationId, eq(providerKeys.provider, provider)))
    .returning({ id: providerKeys.id });
  if (deleted.length === 0) throw new ApiError('not_found', 'No key for this provider');
  await forgetOrganizationBots(services, organizationId);
}
