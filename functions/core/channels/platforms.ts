import type { Config } from '../../lib/config';
import { randomToken, timingSafeEqual } from '../../lib/crypto';
import type { AnyCredentials, CredentialsByPlatform, InstagramCredentials, MessengerCredentials } from './credentials';
import { sendEmailMessage } from './email/outbound';
import { sendMetaFile, sendTelegramFile, sendWhatsAppFile, type Sendable } from './media-send';
import { verifyMetaSignature } from './meta';
import { checkInstagram, checkMessenger, INSTAGRAM_TEXT_LIMIT, MESSENGER_TEXT_LIMIT, parseMessaging, sendMetaText } from './messenger';
import type { TextLimit } from './split';
import { connectTelegram, disconnectTelegram, parseTelegram, sendTelegramText, TELEGRAM_TEXT_LIMIT, telegramBotId, type GroupMode } from './telegram';
import { checkMailgunSignature, formOf, signatureFields } from './email/mailgun';
import { emptyParse, type IntegrationRow, type ParsedWebhook, type Platform, type PlatformResult, type Recipient, type ReplyButtons, type SendContext, type WebhookIntegration } from './types';
import { checkWhatsApp, parseWhatsApp, sendWhatsAppText, WHATSAPP_TEXT_LIMIT } from './whatsapp';
import { checkSlack, parseSlack, sendSlackFile, sendSlackText, slackHandshake, SLACK_TEXT_LIMIT, verifySlackSignature } from './slack';
import { connectDiscord, discordHandshake, DISCORD_TEXT_LIMIT, parseDiscordInteraction, sendDiscordFile, sendDiscordText, verifyDiscordSignature, type DiscordSettings } from './discord';

export interface AccountInfo {
  id: string;
  name: string | null;
  handle: string | null;
}

/** Integration settings as stored: what admins choose (groups) and what connect learned (account). */
export interface IntegrationSettings {
  groups?: GroupMode;
  account?: { name: string | null; handle: string | null };
  /** Discord: the channels the bot answers in, and whether it answers DMs. */
  discord?: DiscordSettings;
  /** Slack: where agents hear about a handoff (a channel the bot posts in, or an incoming webhook). */
  handoffNotify?: HandoffNotifySettings;
}

export interface HandoffNotifySettings {
  channelId?: string | null;
  webhookUrl?: string | null;
}

export const discordSettingsOf = (integration: Pick<IntegrationRow, 'settings'>): DiscordSettings => ({
  channels: settingsOf(integration).discord?.channels ?? [],
  dms: settingsOf(integration).discord?.dms ?? true,
});

export const settingsOf = (integration: Pick<IntegrationRow, 'settings'>) => (integration.settings ?? {}) as IntegrationSettings;

type Header = (name: string) => string | undefined;
type Sent = Promise<PlatformResult<{ externalId: string }>>;
type SendText<C> = (context: SendContext, credentials: C, recipient: Recipient, text: string, role: 'assistant' | 'agent', buttons?: ReplyButtons) => Sent;
type SendFile<C> = (context: SendContext, credentials: C, recipient: Recipient, attachment: Sendable, file: Blob) => Sent;

/**
 * Everything that differs between platforms, in one place: a new channel is one more entry in
 * `PLATFORM_ADAPTERS` (plus its credential schema in credentials.ts). Methods, not function-typed
 * properties, so each entry keeps its own credentials type.
 */
export interface PlatformAdapter<C extends AnyCredentials> {
  /** How long one message may be; longer replies are split (split.ts). */
  textLimit: TextLimit;
  /** Is this request really from the platform? Checked on the raw bytes before anything is parsed. */
  verifyWebhook(credentials: C, rawBody: Uint8Array, header: Header): Promise<boolean>;
  parseWebhook(body: unknown, integration: WebhookIntegration, credentials: C): ParsedWebhook;
  sendText: SendText<C>;
  /**
   * One of an agent's files as its own message, before the text (send.ts records each one sent).
   * Absent where one message carries the whole reply, files attached (email): sendText then sends
   * the message's text unsplit, with its files.
   */
  sendFile?: SendFile<C>;
  /** Proves the credentials with the platform (and, for Telegram and Messenger, subscribes us). */
  connect(config: Config, credentials: C, webhookUrl: string): Promise<PlatformResult<{ account: AccountInfo }>>;
  disconnect(config: Config, credentials: C): Promise<PlatformResult<object>>;
  /** Secrets the server makes rather than the admin types, renewed on every credential change. */
  withServerSecrets(credentials: C): C;
  /**
   * A verified request the platform wants a particular answer to (Slack's `url_verification`
   * challenge, Discord's PING and deferred command response): the body to answer with, and
   * whether what it carries is also stored. Null for ordinary deliveries.
   */
  handshake?(body: unknown): { reply: unknown; store: boolean } | null;
}

const noServerSecrets = <C>(credentials: C) => credentials;

/** Meta's platforms: the webhook is signed with the app secret; the subscription belongs to the app. */
const metaWebhook = {
  verifyWebhook: (credentials: { appSecret: string }, rawBody: Uint8Array, header: Header) =>
    verifyMetaSignature(credentials.appSecret, rawBody, header('x-hub-signature-256')),
  // Meta's subscriptions belong to the app and stay; events for a disconnected channel are ignored.
  disconnect: async () => ({ ok: true as const }),
  withServerSecrets: <C>(credentials: C) => credentials,
};

const sendMessaging: SendText<MessengerCredentials | InstagramCredentials> = ({ services }, credentials, recipient, text, role, buttons) =>
  sendMetaText(services.config, credentials.pageAccessToken, recipient, text, role, buttons);
const sendMessagingFile: SendFile<MessengerCredentials | InstagramCredentials> = ({ services, message }, credentials, recipient, attachment, file) =>
  sendMetaFile(services.config, credentials.pageAccessToken, recipient, message.role, attachment, file);

/** Messenger and Instagram: one Send API and one webhook shape, told apart by the account they address. */
function metaMessaging<C extends MessengerCredentials | InstagramCredentials>(
  platform: 'messenger' | 'instagram',
  textLimit: TextLimit,
  accountOf: (credentials: C) => string,
  check: (config: Config, credentials: C) => Promise<PlatformResult<{ account: AccountInfo }>>,
): PlatformAdapter<C> {
  return {
    ...metaWebhook,
    textLimit,
    parseWebhook: (body, _integration, credentials) => parseMessaging(body, platform, accountOf(credentials)),
    sendText: sendMessaging,
    sendFile: sendMessagingFile,
    connect: (config, credentials) => check(config, credentials),
  };
}

export const PLATFORM_ADAPTERS: { [P in Platform]: PlatformAdapter<CredentialsByPlatform[P]> } = {
  whatsapp: {
    ...metaWebhook,
    textLimit: WHATSAPP_TEXT_LIMIT,
    parseWebhook: (body, _integration, credentials) => parseWhatsApp(body, credentials.phoneNumberId),
    sendText: ({ services }, credentials, recipient, text, _role, buttons) => sendWhatsAppText(services.config, credentials, recipient.externalId, text, buttons),
    sendFile: ({ services }, credentials, recipient, attachment, file) => sendWhatsAppFile(services.config, credentials, recipient.externalId, attachment, file),
    connect: (config, credentials) => checkWhatsApp(config, credentials),
  },
  messenger: metaMessaging('messenger', MESSENGER_TEXT_LIMIT, (credentials) => credentials.pageId, checkMessenger),
  instagram: metaMessaging('instagram', INSTAGRAM_TEXT_LIMIT, (credentials) => credentials.accountId, checkInstagram),
  telegram: {
    textLimit: TELEGRAM_TEXT_LIMIT,
    async verifyWebhook(credentials, _rawBody, header) {
      const given = header('x-telegram-bot-api-secret-token');
      return Boolean(credentials.webhookSecret && given && timingSafeEqual(given, credentials.webhookSecret));
    },
    parseWebhook(body, integration, credentials) {
      const settings = settingsOf(integration);
      return parseTelegram(body, {
        botId: telegramBotId(credentials.botToken),
        username: settings.account?.handle?.replace(/^@/, '') ?? null,
        groups: settings.groups ?? 'mentions',
      });
    },
    sendText: ({ services }, credentials, recipient, text, _role, buttons) => sendTelegramText(services.config, credentials, recipient, text, buttons),
    sendFile: ({ services }, credentials, recipient, attachment, file) => sendTelegramFile(services.config, credentials, recipient, attachment, file),
    connect: (config, credentials, webhookUrl) => connectTelegram(config, credentials, webhookUrl),
    // Telegram stops calling us.
    disconnect: (config, credentials) => disconnectTelegram(config, credentials),
    // The webhook secret is ours to make: random, and new on every credential change.
    withServerSecrets: (credentials) => ({ ...credentials, webhookSecret: randomToken(32) }),
  },
  // Email (email/*): mail arrives as a Mailgun form (email/receive.ts) or raw MIME from
  // Cloudflare Email Routing (the ingestion worker), so parsing here is never reached; replies
  // leave as one threaded mail with the files attached (email/outbound.ts).
  email: {
    // One mail is one message: no splitting.
    textLimit: { max: 200_000, unit: 'chars' },
    async verifyWebhook(credentials, rawBody, header) {
      const contentType = header('content-type');
      if (!credentials.signingKey || !contentType) return false;
      const form = await formOf(rawBody, contentType);
      const fields = form ? signatureFields(form) : null;
      // Freshness and replays are the receiver's (email/receive.ts): it answers them differently.
      return fields !== null && (await checkMailgunSignature(credentials.signingKey, fields, Date.now(), Number.MAX_SAFE_INTEGER)) === 'valid';
    },
    parseWebhook: () => ({ ...emptyParse(), ignored: 1 }),
    sendText: (context, _credentials, recipient, text, _role, buttons) => sendEmailMessage(context, recipient.externalId, text, buttons),
    // Nothing to ask a platform: the inbox address is ours, and the provider needs no subscription.
    connect: async () => ({ ok: true, account: { id: '', name: null, handle: null } }),
    disconnect: async () => ({ ok: true }),
    withServerSecrets: (credentials) => credentials,
  },
  slack: {
    textLimit: SLACK_TEXT_LIMIT,
    verifyWebhook: (credentials, rawBody, header) =>
      verifySlackSignature(credentials.signingSecret, rawBody, header('x-slack-request-timestamp'), header('x-slack-signature')),
    parseWebhook: (body) => parseSlack(body),
    handshake: slackHandshake,
    sendText: ({ services }, credentials, recipient, text, _role, buttons) => sendSlackText(services.config, credentials, recipient, text, buttons),
    sendFile: ({ services }, credentials, recipient, attachment, file) => sendSlackFile(services, credentials, recipient, attachment, file),
    connect: (config, credentials) => checkSlack(config, credentials),
    // The Request URL is the app's setting in Slack; events for a disconnected channel are ignored.
    disconnect: async () => ({ ok: true as const }),
    withServerSecrets: noServerSecrets,
  },
  discord: {
    textLimit: DISCORD_TEXT_LIMIT,
    verifyWebhook: (credentials, rawBody, header) => verifyDiscordSignature(credentials.publicKey, rawBody, header('x-signature-ed25519'), header('x-signature-timestamp')),
    parseWebhook: (body) => parseDiscordInteraction(body),
    handshake: discordHandshake,
    sendText: ({ services }, credentials, recipient, text, _role, buttons) => sendDiscordText(services.config, credentials, recipient, text, buttons),
    sendFile: ({ services }, credentials, recipient, attachment, file) => sendDiscordFile(services.config, credentials, recipient, attachment, file),
    connect: (config, credentials) => connectDiscord(config, credentials),
    // The Gateway connection is closed by the integration code (it knows the runtime's gateway host).
    disconnect: async () => ({ ok: true as const }),
    withServerSecrets: noServerSecrets,
  },
};

/**
 * The adapter for a platform known only at run time. Credentials are decrypted from the row of
 * the same platform, so the one cast here is where that pairing is trusted.
 */
export function platformAdapter(platform: Platform): PlatformAdapter<AnyCredentials> {
  return PLATFORM_ADAPTERS[platform] as PlatformAdapter<AnyCredentials>;
}

export function verifyWebhook(platform: Platform, credentials: AnyCredentials, rawBody: Uint8Array, header: Header) {
  return platformAdapter(platform).verifyWebhook(credentials, rawBody, header);
}

export function parseWebhook(platform: Platform, body: unknown, integration: WebhookIntegration, credentials: AnyCredentials): ParsedWebhook {
  return platformAdapter(platform).parseWebhook(body, integration, credentials);
}

export function connectPlatform<P extends Platform>(
  config: Config,
  platform: P,
  credentials: CredentialsByPlatform[P],
  webhookUrl: string,
): Promise<PlatformResult<{ account: AccountInfo }>> {
  return platformAdapter(platform).connect(config, credentials, webhookUrl);
}

export function disconnectPlatform(config: Config, platform: Platform, credentials: AnyCredentials): Promise<PlatformResult<object>> {
  return platformAdapter(platform).disconnect(config, credentials);
}

export function webhookHandshake(platform: Platform, body: unknown) {
  return platformAdapter(platform).handshake?.(body) ?? null;
}

export function withServerSecrets(platform: Platform, credentials: AnyCredentials): AnyCredentials {
  return platformAdapter(platform).withServerSecrets(credentials);
}

export function webhookUrlOf(config: Pick<Config, 'APP_URL'>, integration: Pick<IntegrationRow, 'id' | 'platform'>) {
  return `${config.APP_URL}/api/v1/channels/${integration.platform}/${integration.id}`;
}
