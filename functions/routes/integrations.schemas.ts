import { z } from '@hono/zod-openapi';
import {
  DiscordCredentialsSchema,
  InstagramCredentialsSchema,
  SlackCredentialsSchema,
  MessengerCredentialsSchema,
  TelegramCredentialsSchema,
  EmailCredentialsSchema,
  WhatsAppCredentialsSchema,
} from '../core/channels/credentials';
import { PLATFORMS } from '../core/channels/types';

/**
 * The integrations API's contract. Hand-written rather than derived from the table: the API
 * never returns credentials (only which fields are stored), adds the webhook URL and the bot, and
 * reads the account and settings out of JSON columns.
 */
export const PlatformSchema = z.enum(PLATFORMS).openapi({ example: 'telegram' });
export const GroupsSchema = z.enum(['ignore', 'mentions', 'all']).openapi({
  description: 'Telegram groups: ignore them, answer only when mentioned, replied to or commanded (default), or answer everything',
});
const snowflake = z.string().regex(/^\d{15,25}$/, 'A numeric Discord id');
export const DiscordSettingsSchema = z
  .object({
    channels: z.array(snowflake).max(100).openapi({ description: 'Discord channel ids the bot answers ordinary messages in' }),
    dms: z.boolean().openapi({ description: 'Whether the bot answers direct messages' }),
  })
  .openapi('DiscordSettings');
export const HandoffNotifySchema = z
  .object({
    channelId: z
      .string()
      .regex(/^[CG][A-Z0-9]{6,20}$/, 'A Slack channel id (C… or G…)')
      .nullable()
      .optional()
      .openapi({ description: 'Slack: a channel the bot posts in when a conversation is handed to a person' }),
    webhookUrl: z
      .url({ protocol: /^https$/ })
      .max(500)
      .nullable()
      .optional()
      .openapi({ description: 'Slack: an incoming-webhook URL to post to instead (checked like every outbound address)' }),
  })
  .openapi('HandoffNotifySettings');
export const SettingsInputSchema = z.object({ groups: GroupsSchema.optional(), discord: DiscordSettingsSchema.optional(), handoffNotify: HandoffNotifySchema.optional() }).strict();
export const Params = z.object({ integration_id: z.uuid().openapi({ param: { name: 'integration_id', in: 'path' } }) });

export const IntegrationSchema = z
  .object({
    id: z.uuid(),
    platform: PlatformSchema,
    name: z.string(),
    botId: z.uuid().nullable(),
    bot: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    status: z.enum(['disconnected', 'connected', 'error']),
    account: z
      .object({ id: z.string().nullable(), name: z.string().nullable(), handle: z.string().nullable() })
      .openapi({ description: 'The platform account as connect read it: phone number id and number, page, @username' }),
    settings: z.object({
      groups: GroupsSchema,
      discord: DiscordSettingsSchema.optional(),
      handoffNotify: z
        .object({ channelId: z.string().nullable(), webhookUrl: z.boolean().openapi({ description: 'Whether an incoming-webhook URL is set (the URL itself is a secret)' }) })
        .optional(),
    }),
    credentials: z
      .object({ configured: z.boolean(), fields: z.array(z.string()) })
      .openapi({ description: 'Which credential fields are stored; their values are never returned' }),
    webhook: z.object({
      url: z.string().openapi({ description: 'Paste this as the callback URL (Meta); Telegram is set up by connect', example: 'https://app.example.com/api/v1/channels/whatsapp/6f1c…' }),
      verifyToken: z.string().nullable().openapi({ description: 'Meta platforms, admins only: the verify token to paste next to the URL' }),
    }),
    inboxAddress: z
      .string()
      .nullable()
      .openapi({ description: 'Email channels: the address customers write to (route it to the webhook URL in Mailgun, or to the worker with Cloudflare Email Routing)', example: 'acme-x7k2p9q4ab@inbound.versaai.local' }),
    lastMessageAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Integration');

export const common = {
  name: z.string().trim().min(1).max(200).openapi({ example: 'WhatsApp ventas' }),
  botId: z.uuid().openapi({ description: 'The chatbot that answers on this channel' }),
  settings: SettingsInputSchema.optional(),
};
export const CreateIntegrationSchema = z
  .discriminatedUnion('platform', [
    z.object({ platform: z.literal('whatsapp'), ...common, credentials: WhatsAppCredentialsSchema.optional() }),
    z.object({ platform: z.literal('messenger'), ...common, credentials: MessengerCredentialsSchema.optional() }),
    z.object({ platform: z.literal('instagram'), ...common, credentials: InstagramCredentialsSchema.optional() }),
    z.object({ platform: z.literal('telegram'), ...common, credentials: TelegramCredentialsSchema.optional() }),
    z.object({ platform: z.literal('email'), ...common, credentials: EmailCredentialsSchema.optional() }),
    z.object({ platform: z.literal('slack'), ...common, credentials: SlackCredentialsSchema.optional() }),
    z.object({ platform: z.literal('discord'), ...common, credentials: DiscordCredentialsSchema.optional() }),
  ])
  .openapi('CreateIntegration');

export const CredentialsChangeSchema = z
  .record(z.string(), z.string().max(2000))
  .openapi({ description: 'Credential fields to set or replace (the platform\u2019s fields, as in CreateIntegration); others keep their stored values' });

export const UpdateIntegrationSchema = z
  .object({ name: common.name.optional(), botId: common.botId.optional(), settings: SettingsInputSchema.optional(), credentials: CredentialsChangeSchema.optional() })
  .openapi('UpdateIntegration');

export const ConnectSchema = z.object({ credentials: CredentialsChangeSchema.optional() }).openapi('ConnectIntegration');

export const StatusSchema = z
  .object({
    id: z.uuid(),
    platform: PlatformSchema,
    status: z.enum(['disconnected', 'connected', 'error']),
    webhookUrl: z.string(),
    lastMessageAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    last24h: z.object({ received: z.number().int(), sent: z.number().int(), failed: z.number().int(), pending: z.number().int() }),
    platformWebhook: z
      .object({ url: z.string(), pendingUpdates: z.number().int(), lastError: z.string().nullable(), lastErrorAt: z.string().nullable() })
      .nullable()
      .openapi({ description: 'Telegram\u2019s getWebhookInfo, with `check=true`' }),
  })
  .openapi('IntegrationStatus');
