import { index, jsonb, pgEnum, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { organizations } from './tenancy';
import { bots } from './bots';

export const platformEnum = pgEnum('channel_platform', ['whatsapp', 'messenger', 'instagram', 'telegram', 'email', 'slack', 'discord']);
export const integrationStatusEnum = pgEnum('integration_status', ['disconnected', 'connected', 'error']);

/** A messaging integration: platform credentials (encrypted) linked to one bot. */
export const channels = pgTable(
  'channels',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    botId: uuid('bot_id').references(() => bots.id, { onDelete: 'set null' }),
    platform: platformEnum('platform').notNull(),
    name: varchar('name', { length: 200 }).notNull(),
    status: integrationStatusEnum('status').notNull().default('disconnected'),
    /** AES-GCM ciphertext of the platform credentials JSON; never returned by the API. */
    credentialsEncrypted: text('credentials_encrypted'),
    /** Platform-side account id (phone number id, page id, bot username, email inbox address) for display and routing. */
    externalAccountId: varchar('external_account_id', { length: 255 }),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    lastMessageAt: ts('last_message_at'),
    lastError: text('last_error'),
    lastErrorAt: ts('last_error_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('channels_org_idx').on(t.organizationId, t.platform),
    // Cloudflare Email Routing hands over a mail by its recipient: the email channel's inbox address.
    index('channels_account_idx').on(t.externalAccountId),
  ],
);
