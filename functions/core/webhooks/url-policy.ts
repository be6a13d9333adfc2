import { ApiError } from '../../lib/errors';
import { hostRange, stripBrackets, urlNotAllowed, urlRefusal, type OutboundPolicy } from '../../lib/network';
import type { Services } from '../../ports';

/**
 * Where webhooks may point: https on a public address, by the outbound policy every tenant-aimed
 * request follows (`lib/network.ts`). Checked when an endpoint is saved (with DNS where the runtime
 * can resolve) and again at every send, where the outbound port checks the addresses it actually
 * connects to; a receiver's DNS can change after it was saved.
 */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Why a URL cannot receive webhooks (without DNS), or null when it can. */
export function webhookUrlRefusal(raw: string, policy: OutboundPolicy): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `The URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  const refusal = urlRefusal(raw, policy);
  if (refusal) return refusal;
  const url = new URL(raw);
  // Plain http only for a receiver on the developer's own machine or network (ALLOW_PRIVATE_URLS).
  const developmentTarget = policy.allowPrivate && hostRange(url.hostname) !== null;
  if (url.protocol === 'http:' && !developmentTarget) return 'Webhook URLs must use https';
  return null;
}

/**
 * The save-time check: the URL itself, then (where the runtime can resolve) every address its
 * host has. Returns the URL as it will be stored.
 */
export async function assertWebhookUrl(services: Pick<Services, 'outbound'>, raw: string): Promise<string> {
  const { outbound } = services;
  const refusal = webhookUrlRefusal(raw.trim(), outbound.policy) ?? (await outbound.check(raw.trim()));
  if (refusal) throw urlNotAllowed(refusal);
  const url = new URL(raw.trim());
  const host = stripBrackets(url.hostname);
  try {
    await outbound.resolve(host);
  } catch {
    const message = `The host ${host} could not be resolved`;
    throw new ApiError('validation_failed', message, { details: [{ path: 'url', message, code: 'invalid_url' }] });
  }
  return url.toString();
}
