import { eq } from 'drizzle-orm';
import { bots } from '../../../db/schema';
import { decryptSecret, encryptSecret, randomToken } from '../../lib/crypto';
import type { Services } from '../../ports';
import { forgetBot } from './bot-runtime';
import { findBot } from './bots';

/**
 * The key that signs visitor identities for identify(): the stored one, or a new one when there
 * is none yet or `rotate` asks for it (identities signed with the old key become unverified).
 */
export async function identitySecret(services: Pick<Services, 'db' | 'kv' | 'config'>, organizationId: string, botId: string, rotate: boolean) {
  const bot = await findBot(services.db, organizationId, botId);
  if (bot.identitySecretEncrypted && !rotate) return decryptSecret(bot.identitySecretEncrypted, services.config.ENCRYPTION_KEY);
  const secret = randomToken(32);
  await services.db
    .update(bots)
    .set({ identitySecretEncrypted: await encryptSecret(secret, services.config.ENCRYPTION_KEY) })
    .where(eq(bots.id, bot.id));
  await forgetBot(services, bot.id);
  return secret;
}
