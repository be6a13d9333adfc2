import type { Config } from '../../lib/config';
import type { AnyCredentials, DiscordCredentials, InstagramCredentials, MessengerCredentials, TelegramCredentials, WhatsAppCredentials } from './credentials';
import { discordCall } from './discord';
import { graphCall } from './meta';
import { telegramCall } from './telegram';
import type { MessageRow, Platform, PlatformResult } from './types';

/**
 * "Seen" and "typing…" while the bot answers: WhatsApp marks the message read and shows the
 * typing indicator in one call; Messenger and Instagram take `sender_action` `mark_seen` then
 * `typing_on`; Telegram shows `typing` with `sendChatAction`. Cosmetic: started without waiting,
 * failures only logged, and never a reason to hold back or fail the answer.
 */
type Signal = (config: Config, credentials: AnyCredentials, recipient: string, message: MessageRow) => Promise<Array<PlatformResult<object>>>;

const SIGNALS: Record<Platform, Signal> = {
  async whatsapp(config, credentials, _recipient, message) {
    if (!message.externalId) return [];
    const { phoneNumberId, accessToken } = credentials as WhatsAppCredentials;
    return [
      await graphCall(config, `${phoneNumberId}/messages`, accessToken, {
        body: { messaging_product: 'whatsapp', status: 'read', message_id: message.externalId, typing_indicator: { type: 'text' } },
      }),
    ];
  },
  messenger: (config, credentials, recipient) => senderActions(config, (credentials as MessengerCredentials).pageAccessToken, recipient),
  instagram: (config, credentials, recipient) => senderActions(config, (credentials as InstagramCredentials).pageAccessToken, recipient),
  async telegram(config, credentials, recipient) {
    return [await telegramCall(config, (credentials as TelegramCredentials).botToken, 'sendChatAction', { chat_id: recipient, action: 'typing' })];
  },
  // Mail has no "seen" or "typing"; Slack bots have no typing indicator on the Events API.
  email: async () => [],
  slack: async () => [],
  async discord(config, credentials, recipient, message) {
    // An `/ask` interaction already shows Discord's own "thinking…" until the follow-up replaces it.
    if (message.metadata?.discordInteraction) return [];
    // "<bot> is typing…" in the channel for about ten seconds, or until the bot's message arrives.
    return [await discordCall<null>(config, `/channels/${encodeURIComponent(recipient)}/typing`, { method: 'POST', botToken: (credentials as DiscordCredentials).botToken })];
  },
};

async function senderActions(config: Config, token: string, recipient: string) {
  const results: Array<PlatformResult<object>> = [];
  for (const action of ['mark_seen', 'typing_on']) {
    results.push(await graphCall(config, 'me/messages', token, { body: { recipient: { id: recipient }, sender_action: action } }));
  }
  return results;
}

/** Starts the signals and returns a promise that never rejects (await it after the answer, if at all). */
export function signalAnswering(config: Config, platform: Platform, credentials: AnyCredentials, recipient: string, message: MessageRow): Promise<void> {
  return SIGNALS[platform](config, credentials, recipient, message).then(
    (results) => {
      for (const result of results) {
        if (!result.ok) console.warn(JSON.stringify({ level: 'warn', message: 'channel read/typing signal failed', platform, reason: result.reason }));
      }
    },
    (error) => console.warn(JSON.stringify({ level: 'warn', message: 'channel read/typing signal failed', platform, error: String(error) })),
  );
}
