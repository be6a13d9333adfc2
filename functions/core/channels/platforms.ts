import type { Config } from '../../lib/config';
import { timingSafeEqual } from '../../lib/crypto';
import type { AnyCredentials, CredentialsByPlatform, InstagramCredentials, MessengerCredentials, TelegramCredentials, WhatsAppCredentials } from './credentials';
import { verifyMetaSignature } from './meta';
import { checkInstagram, checkMessenger, INSTAGRAM_TEXT_LIMIT, MESSENGER_TEXT_LIMIT, parseMessaging, sendMetaText } from './messenger';
import type { TextLimit } from './split';
import { connectTelegram, disconnectTelegram, parseTelegram, sendTelegramText, TELEGRAM_TEXT_LIMIT, telegramBotId, type GroupMode } from './telegram';
import type { IntegrationRow, ParsedWebhook, Platform, PlatformResult, Recipient, ReplyButtons, WebhookIntegration } from './types';
import { checkWhatsApp, parseWhatsApp, sendWhatsAppText, WHATSAPP_TEXT_LIMIT } from './whatsapp';

/** The four platforms behind one switch: verify, parse, send, connect, disconnect. */
export const TEXT_LIMITS: Record<Platform, TextLimit> = {
  whatsapp: WHATSAPP_TEXT_LIMIT,
  messenger: MESSENGER_TEXT_LIMIT,
  instagram: INSTAGRAM_TEXT_LIMIT,
  telegram: TELEGRAM_TEXT_LIMIT,
};

export interface AccountInfo {
  id: string;
  name: string | null;
  handle: string | null;
}

/** Integration settings as stored: what admins choose (groups) and what connect learned (account). */
export interface IntegrationSettings {
  groups?: GroupMode;
  account?: { name: string | null; handle: string | null };
}

export const settingsOf = (integration: Pick<IntegrationRow, 'settings'>) => (integration.settings ?? {}) as IntegrationSettings;

/** Is this request really from the platform? Checked on the raw bytes before anything is parsed. */
export async function verifyWebhook(platform: Platform, credentials: AnyCredentials, rawBody: Uint8Array, header: (name: string) => string | undefined) {
  if (platform === 'telegram') {
    const expected = (credentials as TelegramCredentials).webhookSecret;
    const given = header('x-telegram-bot-api-secret-token');
    return Boolean(expected && given && timingSafeEqual(given, expected));
  }
  return verifyMetaSignature((credentials as WhatsAppCredentials).appSecret, rawBody, header('x-hub-signature-256'));
}

export function parseWebhook(platform: Platform, body: unknown, integration: WebhookIntegration, credentials: AnyCredentials): ParsedWebhook {
  switch (platform) {
    case 'whatsapp':
      return parseWhatsApp(body, (credentials as WhatsAppCredentials).phoneNumberId);
    case 'messenger':
      return parseMessaging(body, 'messenger', (credentials as MessengerCredentials).pageId);
    case 'instagram':
      return parseMessaging(body, 'instagram', (credentials as InstagramCredentials).accountId);
    case 'telegram': {
      const settings = settingsOf(integration);
      return parseTelegram(body, {
        botId: telegramBotId((credentials as TelegramCredentials).botToken),
        username: settings.account?.handle?.replace(/^@/, '') ?? null,
        groups: settings.groups ?? 'mentions',
      });
    }
  }
}

export function sendText(
  config: Config,
  platform: Platform,
  credentials: AnyCredentials,
  recipient: Recipient,
  text: string,
  role: 'assistant' | 'agent',
  buttons?: ReplyButtons,
): Promise<PlatformResult<{ externalId: string }>> {
  switch (platform) {
    case 'whatsapp':
      return sendWhatsAppText(config, credentials as WhatsAppCredentials, recipient.externalId, text, buttons);
    case 'messenger':
    case 'instagram':
      return sendMetaText(config, (credentials as MessengerCredentials).pageAccessToken, recipient, text, role, buttons);
    case 'telegram':
      return sendTelegramText(config, credentials as TelegramCredentials, recipient, text, buttons);
  }
}

/** Proves the credentials with the platform (and, for Telegram and Messenger, subscribes us). */
export function connectPlatform<P extends Platform>(
  config: Config,
  platform: P,
  credentials: CredentialsByPlatform[P],
  webhookUrl: string,
): Promise<PlatformResult<{ account: AccountInfo }>> {
  switch (platform) {
    case 'whatsapp':
      return checkWhatsApp(config, credentials as WhatsAppCredentials);
    case 'messenger':
      return checkMessenger(config, credentials as MessengerCredentials);
    case 'instagram':
      return checkInstagram(config, credentials as InstagramCredentials);
    default:
      return connectTelegram(config, credentials as TelegramCredentials, webhookUrl);
  }
}

/** Telegram stops calling us; Meta's subscriptions belong to the app and stay (events are then ignored). */
export async function disconnectPlatform(config: Config, platform: Platform, credentials: AnyCredentials): Promise<PlatformResult<object>> {
  if (platform !== 'telegram') return { ok: true };
  return disconnectTelegram(config, credentials as TelegramCredentials);
}

export function webhookUrlOf(config: Pick<Config, 'APP_URL'>, integration: Pick<IntegrationRow, 'id' | 'platform'>) {
  return `${config.APP_URL}/api/v1/channels/${integration.platform}/${integration.id}`;
}
