import { providerKeys } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
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
