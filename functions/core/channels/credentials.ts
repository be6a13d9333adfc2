import { z } from '@hono/zod-openapi';
import { decryptSecret, encryptSecret, randomToken } from '../../lib/crypto';
import type { Platform } from './types';

/**
 * Platform credentials: what an admin types in per platform, validated here, stored only as
 * AES-GCM ciphertext (`channels.credentials_encrypted`), and never returned by the API. Server-made
 * secrets (Meta's verify token when none is given, Telegram's webhook secret) live in the same
 * encrypted blob.
 */
const verifyToken = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces')
  .openapi({ description: 'The verify token you will paste in Meta\u2019s webhook settings; generated when omitted', example: 'my-verify-token-123' });
const appSecret = z.string().min(16).max(200).openapi({ description: 'The Meta app\u2019s secret (App settings > Basic); signs every webhook', example: '0123456789abcdef0123456789abcdef' });
const graphId = (description: string, example: string) => z.string().regex(/^\d{3,40}$/, 'A numeric id').openapi({ description, example });
const token = (description: string) => z.string().min(10).max(2000).openapi({ description });

export const WhatsAppCredentialsSchema = z.object({
  phoneNumberId: graphId('WhatsApp Cloud API phone number id', '106540352242922'),
  accessToken: token('A system user access token with whatsapp_business_messaging'),
  appSecret,
  verifyToken: verifyToken.optional(),
  businessAccountId: graphId('WhatsApp Business Account id; when given, connect subscribes the app to it', '102290129340398').optional(),
});

export const MessengerCredentialsSchema = z.object({
  pageId: graphId('The Facebook Page id', '1234567890'),
  pageAccessToken: token('A Page access token with pages_messaging'),
  appSecret,
  verifyToken: verifyToken.optional(),
});

export const InstagramCredentialsSchema = z.object({
  accountId: graphId('The Instagram professional account id (IG_ID)', '17841400000000000'),
  pageAccessToken: token('The access token of the Facebook Page linked to the account, with instagram_manage_messages'),
  appSecret,
  verifyToken: verifyToken.optional(),
});

export const TelegramCredentialsSchema = z.object({
  botToken: z
    .string()
    .regex(/^\d{3,20}:[A-Za-z0-9_-]{30,100}$/, 'A token from @BotFather looks like 123456789:AAE…')
    .openapi({ description: 'The bot token from @BotFather', example: '123456789:AAEhBP0av28fhjRdM2ZJu1PsMKrcZhGs4wE' }),
});

export const EmailCredentialsSchema = z.object({
  signingKey: z
    .string()
    .min(16)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces')
    .openapi({ description: 'Mailgun\u2019s HTTP webhook signing key (Sending > Webhooks); signs every inbound-route delivery. Not needed with Cloudflare Email Routing' })
    .optional(),
});

export const SlackCredentialsSchema = z.object({
  botToken: z
    .string()
    .regex(/^xoxb-[A-Za-z0-9-]{10,250}$/, 'A Slack bot token starts with xoxb-')
    .openapi({ description: 'The app\u2019s Bot User OAuth Token (OAuth & Permissions), with chat:write, channels:history, im:history, app_mentions:read, files:read, files:write (agents\u2019 files)' }),
  signingSecret: z
    .string()
    .regex(/^[A-Za-z0-9]{16,128}$/, 'The signing secret from Basic Information > App Credentials')
    .openapi({ description: 'The app\u2019s signing secret; signs every Events API request', example: '8f742231b10e8888abcd99yyyzzz85a5' }),
});

export const DiscordCredentialsSchema = z.object({
  applicationId: z.string().regex(/^\d{15,25}$/, 'A numeric Discord id (snowflake)').openapi({ description: 'The application id (General Information)', example: '1133557799002244668' }),
  publicKey: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'The public key is 64 hexadecimal characters')
    .openapi({ description: 'The application\u2019s public key (General Information); verifies every interaction (Ed25519)' }),
  botToken: token('The bot\u2019s token (Bot > Reset Token), with the Message Content intent enabled'),
});

export const CREDENTIAL_SCHEMAS = {
  whatsapp: WhatsAppCredentialsSchema,
  messenger: MessengerCredentialsSchema,
  instagram: InstagramCredentialsSchema,
  telegram: TelegramCredentialsSchema,
  email: EmailCredentialsSchema,
  slack: SlackCredentialsSchema,
  discord: DiscordCredentialsSchema,
} as const;

export type WhatsAppCredentials = z.infer<typeof WhatsAppCredentialsSchema> & { verifyToken: string };
export type MessengerCredentials = z.infer<typeof MessengerCredentialsSchema> & { verifyToken: string };
export type InstagramCredentials = z.infer<typeof InstagramCredentialsSchema> & { verifyToken: string };
/** `webhookSecret` is ours: sent to setWebhook and checked on every update. */
export type TelegramCredentials = z.infer<typeof TelegramCredentialsSchema> & { webhookSecret: string };

export type EmailCredentials = z.infer<typeof EmailCredentialsSchema>;
export type SlackCredentials = z.infer<typeof SlackCredentialsSchema>;
export type DiscordCredentials = z.infer<typeof DiscordCredentialsSchema>;

export interface CredentialsByPlatform {
  whatsapp: WhatsAppCredentials;
  messenger: MessengerCredentials;
  instagram: InstagramCredentials;
  telegram: TelegramCredentials;
  email: EmailCredentials;
  slack: SlackCredentials;
  discord: DiscordCredentials;
}
export type AnyCredentials = CredentialsByPlatform[Platform];

/** Field names an admin may set, per platform (for the API's "which are configured" answer). */
export const credentialFields = (platform: Platform) => Object.keys(CREDENTIAL_SCHEMAS[platform].shape);

/**
 * Merges a (partial) change into stored credentials and validates the whole for the platform.
 * Returns zod issues with `credentials.` paths when something is missing or malformed.
 */
export function mergeCredentials(platform: Platform, stored: Record<string, unknown> | null, change: Record<string, unknown>) {
  const merged = { ...(stored ?? {}), ...change };
  const schema = CREDENTIAL_SCHEMAS[platform];
  const result = schema.safeParse(Object.fromEntries(Object.keys(schema.shape).map((k) => [k, merged[k]])));
  if (!result.success) {
    return { ok: false as const, issues: result.error.issues.map((i) => ({ path: ['credentials', ...i.path].join('.'), message: i.message, code: i.code })) };
  }
  const complete: Record<string, unknown> = { ...merged, ...result.data };
  // Meta's handshake needs a verify token; a generated one is as good as a chosen one.
  if (platform === 'whatsapp' || platform === 'messenger' || platform === 'instagram') complete.verifyToken ??= randomToken(24);
  return { ok: true as const, credentials: complete as unknown as AnyCredentials };
}

export async function sealCredentials(credentials: AnyCredentials | Record<string, unknown>, key: string) {
  return encryptSecret(JSON.stringify(credentials), key);
}

export async function openCredentials<P extends Platform>(_platform: P, sealed: string, key: string): Promise<CredentialsByPlatform[P]> {
  return JSON.parse(await decryptSecret(sealed, key)) as CredentialsByPlatform[P];
}
