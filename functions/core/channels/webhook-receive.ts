import { timingSafeEqual } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { cleanJsonText } from '../../lib/text';
import type { Services } from '../../ports';
import { openCredentials, type AnyCredentials, type EmailCredentials } from './credentials';
import { receiveMailgun } from './email/receive';
import { errorMessage } from './http';
import { storeInbound } from './inbound';
import { metaChallenge } from './meta';
import { parseWebhook, verifyWebhook, webhookHandshake } from './platforms';
import { loadWebhookIntegration } from './state';
import { PLATFORMS, type Platform, type WebhookIntegration } from './types';

/**
 * A platform's webhook request, from the URL it was sent to: which integration it is for, whether
 * it really comes from the platform, and storing what it carries. Nothing here calls a platform.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isPlatform = (value: string): value is Platform => (PLATFORMS as readonly string[]).includes(value);

/** The integration the URL names, with its credentials; 404 for anything else (a typo, a deleted one, no credentials yet). */
async function webhookTarget(services: Services, platform: string, id: string): Promise<{ integration: WebhookIntegration; credentials: AnyCredentials }> {
  const integration = isPlatform(platform) && UUID.test(id) ? await loadWebhookIntegration(services, platform, id) : null;
  if (!integration?.credentialsEncrypted) throw new ApiError('not_found', 'No such channel webhook');
  try {
    return { integration, credentials: await openCredentials(integration.platform, integration.credentialsEncrypted, services.config.ENCRYPTION_KEY) };
  } catch (error) {
    // Our key changed, not the request: a 503 makes the platform redeliver once it is fixed.
    console.error(JSON.stringify({ level: 'error', message: 'channel credentials unreadable', integration: integration.id, error: errorMessage(error) }));
    throw new ApiError('service_unavailable', 'This channel cannot verify requests right now');
  }
}

/** Meta's verification handshake: the challenge to echo when the verify token is the integration's. */
export async function verificationChallenge(services: Services, platform: string, id: string, query: Record<string, string>) {
  const { integration, credentials } = await webhookTarget(services, platform, id);
  if (!('verifyToken' in credentials)) throw new ApiError('not_found', 'Only Meta webhooks have a GET verification handshake');
  const challenge = metaChallenge(query, credentials.verifyToken, timingSafeEqual);
  if (challenge === null) throw new ApiError('forbidden', 'The verify token does not match this integration');
  return challenge;
}

/** A signed delivery of messages and receipts: verified on the raw body, then parsed and stored. */
export async function receiveWebhook(services: Services, platform: string, id: string, raw: Uint8Array, header: (name: string) => string | undefined) {
  const { integration, credentials } = await webhookTarget(services, platform, id);
  // Mail comes as a form whose signature, freshness and replay checks are its own.
  if (integration.platform === 'email') return { ok: true as const, ...(await receiveMailgun(services, integration, credentials as EmailCredentials, raw, header)) };
  if (!(await verifyWebhook(integration.platform, credentials, raw, header))) {
    throw new ApiError('unauthorized', 'The webhook signature is missing or not valid');
  }
  const none = { ok: true as const, stored: 0, duplicates: 0, edits: 0, statuses: 0, ignored: 0 };
  let body: unknown;
  try {
    // A platform retries what we refuse, so text Postgres cannot store is cleaned, not refused.
    body = cleanJsonText(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)));
  } catch {
    throw new ApiError('bad_request', 'The body is not valid JSON');
  }
  // Slack's URL check and Discord's PING come before (and without) a connected channel: they are
  // how the admin saves our URL in the platform's settings.
  const handshake = webhookHandshake(integration.platform, body);
  if (handshake && !handshake.store) return { reply: handshake.reply };
  // A disconnected channel is not ours to answer; 200 keeps Meta from disabling the subscription.
  // One in error (its token refused for sending) still receives: the inbox keeps getting messages.
  if (integration.status === 'disconnected') return { ...none, ignored: 1 };
  const outcome = await storeInbound(services, integration, parseWebhook(integration.platform, body, integration, credentials));
  return handshake ? { reply: handshake.reply } : { ok: true as const, ...outcome };
}
