import { and, eq } from 'drizzle-orm';
import { channels, organizations } from '../../../../db/schema';
import type { Services } from '../../../ports';
import { findWebhookIntegration } from '../state';
import type { WebhookIntegration } from '../types';

/**
 * An email channel's inbox address: `<organization slug>-<random>@<EMAIL_INBOUND_DOMAIN>`. The
 * random part is what makes it unguessable (so nobody writes into another organization's inbox
 * by knowing its slug) and unique without a lookup; it is made once, when the channel is created.
 */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

function randomLocalPart(length = 10): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

export function inboxAddress(slug: string, domain: string): string {
  const prefix = slug.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'inbox';
  return `${prefix}-${randomLocalPart()}@${domain.toLowerCase()}`;
}

export async function newInboxAddress(services: Pick<Services, 'db' | 'config'>, organizationId: string): Promise<string> {
  const [org] = await services.db.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return inboxAddress(org?.slug ?? 'inbox', services.config.EMAIL_INBOUND_DOMAIN);
}

/** The email channel a mail was routed to (Cloudflare Email Routing names only the recipient). */
export function integrationForAddress(services: Pick<Services, 'db'>, address: string): Promise<WebhookIntegration | null> {
  return findWebhookIntegration(services, and(eq(channels.platform, 'email'), eq(channels.externalAccountId, address.trim().toLowerCase()))!);
}
