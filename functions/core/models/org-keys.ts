import { eq } from 'drizzle-orm';
import { bots, providerKeys } from '../../../db/schema';
import { decryptSecret } from '../../lib/crypto';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
import type { OrgProviderKey } from './registry';

/** Encrypted as stored (and as cached with a bot); decrypted only for the call that needs it. */
export interface StoredProviderKey {
  provider: OrgProviderKey['provider'];
  apiKeyEncrypted: string;
  baseUrl: string | null;
  models: string[];
}

export async function loadStoredKeys(services: Pick<Services, 'db'>, organizationId: string): Promise<StoredProviderKey[]> {
  return services.db
    .select({ provider: providerKeys.provider, apiKeyEncrypted: providerKeys.apiKeyEncrypted, baseUrl: providerKeys.baseUrl, models: providerKeys.models })
    .from(providerKeys)
    .where(inOrg(providerKeys, organizationId));
}

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
