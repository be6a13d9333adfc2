import { and, eq, sql } from 'drizzle-orm';
import { channels } from '../../../db/schema';
import type { EventSubscriber, Services } from '../../ports';
import type { OrgEvent } from '../events/types';
import { openCredentials } from './credentials';
import { errorMessage } from './http';
import type { HandoffNotifySettings } from './platforms';
import { slackCall } from './slack';

/**
 * "Notify a Slack channel on handoff": when the bot hands a conversation to a person, each of the
 * organization's connected Slack integrations with a notice configured posts a line with a link
 * to the conversation, in a channel through the bot (`chat.postMessage`) or to an incoming webhook
 * (through the outbound port: the URL is the tenant's, so it passes the SSRF policy). Best effort,
 * after the response: a notice that fails is logged, never a reason for the handoff to fail.
 */
const REASONS: Record<string, string> = { visitor_request: 'the customer asked for a person', low_confidence: 'the bot could not answer', agent: 'an agent asked for it' };

export function handoffNoticeText(appUrl: string, conversationId: string, reason: unknown) {
  const why = typeof reason === 'string' ? (REASONS[reason] ?? reason) : 'handoff';
  return `:raising_hand: A conversation needs a person (${why}): <${appUrl}/conversations/${conversationId}|open it in the inbox>`;
}

async function notifyOne(services: Services, row: { id: string; credentialsEncrypted: string | null; notify: HandoffNotifySettings }, text: string) {
  if (row.notify.webhookUrl) {
    const response = await services.outbound.send({
      url: row.notify.webhookUrl,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text }),
      timeoutMs: services.config.CHANNEL_API_TIMEOUT_MS,
      maxResponseBytes: 1000,
    });
    if (response.status >= 300) throw new Error(`the incoming webhook answered ${response.status}`);
  }
  if (row.notify.channelId && row.credentialsEncrypted) {
    const credentials = await openCredentials('slack', row.credentialsEncrypted, services.config.ENCRYPTION_KEY);
    const posted = await slackCall(services.config, credentials.botToken, 'chat.postMessage', { channel: row.notify.channelId, text, unfurl_links: false });
    if (!posted.ok) throw new Error(posted.reason);
  }
}

export async function notifySlackOfHandoff(services: Services, event: OrgEvent) {
  if (event.type !== 'conversation.handoff') return;
  const conversationId = String(event.data.conversationId ?? '');
  const rows = await services.db
    .select({ id: channels.id, credentialsEncrypted: channels.credentialsEncrypted, notify: sql<HandoffNotifySettings>`${channels.settings}->'handoffNotify'` })
    .from(channels)
    .where(and(eq(channels.organizationId, event.organizationId), eq(channels.platform, 'slack'), eq(channels.status, 'connected'), sql`${channels.settings} ? 'handoffNotify'`));
  const text = handoffNoticeText(services.config.APP_URL, conversationId, event.data.reason);
  for (const row of rows) {
    await notifyOne(services, row, text).catch((error: unknown) =>
      console.error(JSON.stringify({ level: 'warn', message: 'slack handoff notice not sent', integration: row.id, error: errorMessage(error) })),
    );
  }
}

export const slackHandoffSubscriber: EventSubscriber = {
  name: 'slack-handoff-notice',
  timing: 'background',
  deliver: (services, event) => notifySlackOfHandoff(services, event),
};
