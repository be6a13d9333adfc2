import type { Services } from '../../../ports';
import { errorMessage } from '../http';
import { integrationForAddress } from './address';
import { parseMime } from './mime';
import { storeEmail } from './receive';

/**
 * Cloudflare Email Routing (https://developers.cloudflare.com/email-routing/email-workers/runtime-api/):
 * the zone's catch-all (or a rule per address) sends mail for the inbound domain to the
 * ingestion worker's `email(message, env, ctx)` handler. Cloudflare has already checked SPF/DKIM
 * and there is no shared secret: the recipient address, unguessable, is what names the channel.
 * A mail for no channel, or too large, is rejected back to the sender (a bounce) rather than lost.
 */
export interface RoutedMail {
  from: string;
  to: string;
  raw: ReadableStream<Uint8Array>;
  rawSize: number;
  setReject(reason: string): void;
}

/** The bounce names a limit the mail went over (too many parts, too deep), so its sender knows what to change. */
function unreadableReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('EMAX') ? `The message could not be read: ${errorMessage(error)}` : 'The message could not be read';
}

export async function receiveRoutedMail(services: Services, message: RoutedMail): Promise<'stored' | 'duplicate' | 'rejected' | 'ignored'> {
  if (message.rawSize > services.config.EMAIL_MAX_BYTES) {
    message.setReject(`Message too large (limit ${services.config.EMAIL_MAX_BYTES} bytes)`);
    return 'rejected';
  }
  const integration = await integrationForAddress(services, message.to);
  if (!integration) {
    message.setReject('No such mailbox');
    return 'rejected';
  }
  if (integration.status === 'disconnected') {
    message.setReject('This mailbox is not receiving mail');
    return 'rejected';
  }
  let email;
  try {
    email = await parseMime(message.raw, message.to);
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'inbound mail unreadable', integration: integration.id, error: errorMessage(error) }));
    message.setReject(unreadableReason(error));
    return 'rejected';
  }
  if (!email) return 'ignored';
  const outcome = await storeEmail(services, integration, email);
  return outcome.stored > 0 ? 'stored' : outcome.duplicates > 0 ? 'duplicate' : 'ignored';
}
