import type { Config } from '../../lib/config';
import { ApiError } from '../../lib/errors';
import { classifyHost, classifyIp, stripBrackets } from '../../lib/network';
import type { Services } from '../../ports';

/**
 * Where webhooks may point: https on a public address. Checked when an endpoint is saved (with DNS
 * where the runtime can resolve) and again at every send, where the Node adapter checks the
 * addresses it actually connects to; a receiver's DNS can change after it was saved.
 */
export interface WebhookUrlPolicy {
  /** Loopback (over http too) for a receiver on a developer's machine; never private networks. */
  allowLoopback: boolean;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export function webhookUrlPolicy(config: Config): WebhookUrlPolicy {
  // The flag is for local development; a production worker never talks to its own loopback.
  return { allowLoopback: config.WEBHOOKS_ALLOW_LOOPBACK && config.runtime === 'local' };
}

/** Whether an IP address (a literal, or what DNS returned) may receive a webhook. */
export function addressAllowed(policy: WebhookUrlPolicy) {
  return (ip: string): boolean => {
    const kind = classifyIp(stripBrackets(ip));
    return kind === 'public' || (kind === 'loopback' && policy.allowLoopback);
  };
}

/** Why a URL cannot receive webhooks (without DNS), or null when it can. */
export function webhookUrlRefusal(raw: string, policy: WebhookUrlPolicy): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Webhook URLs must use https';
  if (url.username || url.password) return 'Put credentials in the path or query string, not before the host';
  const kind = classifyHost(url.hostname);
  const loopbackAllowed = kind === 'loopback' && policy.allowLoopback;
  if (kind !== 'public' && !loopbackAllowed) return 'Webhooks cannot be sent to private, loopback, link-local or internal addresses';
  if (url.protocol === 'http:' && !loopbackAllowed) return 'Webhook URLs must use https';
  return null;
}

function invalidUrl(message: string) {
  return new ApiError('validation_failed', message, { details: [{ path: 'url', message, code: 'invalid_url' }] });
}

/**
 * The save-time check: the URL itself, then (where the runtime can resolve) every address its
 * host has. Returns the URL as it will be stored.
 */
export async function assertWebhookUrl(services: Pick<Services, 'config' | 'outbound'>, raw: string): Promise<string> {
  const policy = webhookUrlPolicy(services.config);
  const refusal = webhookUrlRefusal(raw.trim(), policy);
  if (refusal) throw invalidUrl(refusal);
  const url = new URL(raw.trim());
  const host = stripBrackets(url.hostname);
  if (classifyIp(host) === null && classifyHost(host) === 'public') {
    let addresses: string[] | null;
    try {
      addresses = await services.outbound.resolve(host);
    } catch {
      throw invalidUrl(`The host ${host} could not be resolved`);
    }
    if (addresses && !addresses.every(addressAllowed(policy))) {
      throw invalidUrl(`The host ${host} resolves to a private address`);
    }
  }
  return url.toString();
}
