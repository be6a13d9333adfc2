import { eq } from 'drizzle-orm';
import { bots } from '../../../db/schema';
import { decryptSecret } from '../../lib/crypto';
import type { Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
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
