import { createRoute, z } from '@hono/zod-openapi';
import { receiveWebhook, verificationChallenge } from '../core/channels/webhook-receive';
import { createRouter, errorResponse, jsonContent, publicErrors } from '../lib/openapi';

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
  platform: z.string().openapi({ param: { name: 'platform', in: 'path' }, description: 'whatsapp, messenger, instagram, telegram, email, slack or discord', example: 'whatsapp' }),
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

const SlackChallengeSchema = z.object({ challenge: z.string() }).openapi('SlackUrlVerification', { description: 'Slack\u2019s url_verification answered' });
const DiscordInteractionResponseSchema = z
  .object({ type: z.number().int(), data: z.object({ content: z.string(), flags: z.number().int().optional() }).optional() })
  .openapi('DiscordInteractionResponse', { description: 'Discord: PONG (1) to a PING, or the deferred answer (5) to a slash command' });

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
      503: errorResponse('The channel\u2019s credentials cannot be read right now (the platform redelivers later)'),
    },
  }),
  async (c) => {
    const { platform, integration_id } = c.req.valid('param');
    return c.text(await verificationChallenge(c.get('services'), platform, integration_id, c.req.query()), 200);
  },
);

channelsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{platform}/{integration_id}',
    tags,
    summary: 'Messages and receipts from the platform (public, signed)',
    description:
      'The body is the platform\u2019s own webhook payload (WhatsApp Cloud API, Messenger, Instagram, a Telegram Update, a Slack Events API event, a Discord interaction) or an inbound mail. Meta requests must carry `X-Hub-Signature-256`; Telegram requests `X-Telegram-Bot-Api-Secret-Token`; Slack requests `X-Slack-Signature` and `X-Slack-Request-Timestamp` (at most 5 minutes old); Discord requests `X-Signature-Ed25519` and `X-Signature-Timestamp`; email, a Mailgun inbound route’s `forward()` (multipart/form-data with `timestamp`, `token` and `signature`). Redeliveries (Slack\u2019s `X-Slack-Retry-Num` included) are recognised by the platform\u2019s message id (email: Message-Id) and stored once.',
    request: { params: Params },
    responses: {
      200: jsonContent(
        z.union([OutcomeSchema, SlackChallengeSchema, DiscordInteractionResponseSchema]),
        'Accepted (also for events we deliberately ignore, so the platform does not retry them); Slack\u2019s URL check and Discord\u2019s interactions get the answer those platforms expect',
      ),
      401: errorResponse('Missing or wrong signature (email: also a timestamp too far from now)'),
      404: errorResponse('No such webhook'),
      406: errorResponse('Email: a signed delivery whose token was already received (a replay; Mailgun does not retry a 406)'),
      413: errorResponse('Body too large'),
      415: errorResponse('Email: the body is not a form'),
      ...publicErrors,
      503: errorResponse('The channel\u2019s credentials cannot be read right now (the platform redelivers later)'),
    },
  }),
  async (c) => {
    const { platform, integration_id } = c.req.valid('param');
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const result = await receiveWebhook(c.get('services'), platform, integration_id, raw, (name) => c.req.header(name));
    return c.json('reply' in result ? (result.reply as z.infer<typeof DiscordInteractionResponseSchema>) : result, 200);
  },
);
