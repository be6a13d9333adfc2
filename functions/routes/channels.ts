import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { openCredentials, type AnyCredentials } from '../core/channels/credentials';
import { errorMessage } from '../core/channels/http';
import { storeInbound } from '../core/channels/inbound';
import { loadWebhookIntegration } from '../core/channels/state';
import { metaChallenge } from '../core/channels/meta';
import { parseWebhook, verifyWebhook } from '../core/channels/platforms';
import { PLATFORMS, type Platform, type WebhookIntegration } from '../core/channels/types';
import { timingSafeEqual } from '../lib/crypto';
import type { AppEnv } from '../lib/env';
import { ApiError } from '../lib/errors';
import { createRouter, errorResponse, jsonContent, publicErrors } from '../lib/openapi';
import { cleanJsonText } from '../lib/text';

/**
 * Public webhooks, one URL per platform and integration. No bearer auth: each request proves it
 * comes from the platform (Meta's `X-Hub-Signature-256` over the raw body, Telegram's secret
 * token header) before anything is parsed or stored. Bodies are capped by the app's JSON limit
 * (413). The answer is quick: replies are queued jobs, so Meta's and Telegram's timeouts (and
 * their redeliveries) never see the model's latency.
 */
export const channelsRouter = createRouter();
const tags = ['Channel webhooks'];

const Params = z.object({
  platform: z.string().openapi({ param: { name: 'platform', in: 'path' }, description: 'whatsapp, messenger, instagram or telegram', example: 'whatsapp' }),
  integration_id: z.string().openapi({ param: { name: 'integration_id', in: 'path' }, description: 'The integration id from the dashboard' }),
});

const OutcomeSchema = z
  .object({
    ok: z.literal(true),
    stored: z.number().int(),
    duplicates: z.number().int(),
    edits: z.number().int(),
    statuses: z.number().int(),
    ignored: z.number().int(),
  })
  .openapi('ChannelWebhookOutcome');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isPlatform = (value: string): value is Platform => (PLATFORMS as readonly string[]).includes(value);

/** The integration the URL names, with its credentials; 404 for anything else (a typo, a deleted one, no credentials yet). */
async function target(c: Context<AppEnv>): Promise<{ integration: WebhookIntegration; credentials: AnyCredentials }> {
  const platform = c.req.param('platform') ?? '';
  const id = c.req.param('integration_id') ?? '';
  const services = c.get('services');
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

channelsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{platform}/{integration_id}',
    tags,
    summary: 'Meta\u2019s webhook verification (public)',
    description: 'Meta calls this with `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge` when the callback URL is saved; we echo the challenge when the token is the integration\u2019s.',
    request: { params: Params },
    responses: {
      200: { description: 'The challenge, as plain text', content: { 'text/plain': { schema: z.string() } } },
      403: errorResponse('The verify token does not match'),
      404: errorResponse('No such webhook'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const { integration, credentials } = await target(c);
    if (integration.platform === 'telegram' || !('verifyToken' in credentials)) throw new ApiError('not_found', 'Telegram webhooks have no verification handshake');
    const challenge = metaChallenge(c.req.query(), credentials.verifyToken, timingSafeEqual);
    if (challenge === null) throw new ApiError('forbidden', 'The verify token does not match this integration');
    return c.text(challenge, 200);
  },
);

channelsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{platform}/{integration_id}',
    tags,
    summary: 'Messages and receipts from the platform (public, signed)',
    description:
      'The body is the platform\u2019s own webhook payload (WhatsApp Cloud API, Messenger, Instagram, or a Telegram Update). Meta requests must carry `X-Hub-Signature-256`; Telegram requests `X-Telegram-Bot-Api-Secret-Token`. Redeliveries are recognised by the platform\u2019s message id and stored once.',
    request: { params: Params },
    responses: {
      200: jsonContent(OutcomeSchema, 'Accepted (also for events we deliberately ignore, so the platform does not retry them)'),
      401: errorResponse('Missing or wrong signature'),
      404: errorResponse('No such webhook'),
      413: errorResponse('Body too large'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const { integration, credentials } = await target(c);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (!(await verifyWebhook(integration.platform, credentials, raw, (name) => c.req.header(name)))) {
      throw new ApiError('unauthorized', 'The webhook signature is missing or not valid');
    }
    const none = { ok: true as const, stored: 0, duplicates: 0, edits: 0, statuses: 0, ignored: 0 };
    // A disconnected channel is not ours to answer; 200 keeps Meta from disabling the subscription.
    // One in error (its token refused for sending) still receives: the inbox keeps getting messages.
    if (integration.status === 'disconnected') return c.json({ ...none, ignored: 1 }, 200);
    let body: unknown;
    try {
      // A platform retries what we refuse, so text Postgres cannot store is cleaned, not refused.
      body = cleanJsonText(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)));
    } catch {
      throw new ApiError('bad_request', 'The body is not valid JSON');
    }
    const outcome = await storeInbound(c.get('services'), integration, parseWebhook(integration.platform, body, integration, credentials));
    return c.json({ ok: true as const, ...outcome }, 200);
  },
);
