import { z } from 'zod';

/**
 * Runtime configuration, parsed once at each entry from env vars / Worker bindings.
 * Handlers never read the environment: they get this object from the services.
 */
const secret = (name: string) =>
  z.string({ error: `${name} is required` }).min(32, `${name} must be at least 32 characters`);

/** Named address ranges TRUST_PROXY accepts besides addresses and CIDRs (the names Express uses). */
const PROXY_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
const ADDRESS = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/** Which proxies in front of the Node server may say who the client is (X-Forwarded-For). */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'ranges'; ranges: string[] };

const trustProxy = z
  .string()
  .default('')
  .transform((value, ctx): TrustProxy => {
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    if (items.length === 0 || (items.length === 1 && items[0] === 'false')) return { kind: 'none' };
    if (items.length === 1 && /^\d+$/.test(items[0])) return { kind: 'hops', hops: Number(items[0]) };
    const ranges: string[] = [];
    for (const item of items) {
      if (PROXY_RANGES[item]) ranges.push(...PROXY_RANGES[item]);
      else if (ADDRESS.safeParse(item).success) ranges.push(item);
      else {
        ctx.addIssue({
          code: 'custom',
          message: `TRUST_PROXY: "${item}" is not loopback, linklocal, uniquelocal, an IP address or a CIDR (or give one hop count)`,
        });
        return z.NEVER;
      }
    }
    return { kind: 'ranges', ranges };
  });

const hostList = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : []));

export const configSchema = z.object({
  runtime: z.enum(['edge', 'local']),
  /** Public origin of the app, used in links sent by mail and in job URLs. */
  APP_URL: z.url().transform((url) => url.replace(/\/+$/, '')),
  JWT_SECRET: secret('JWT_SECRET'),
  /** 32+ chars; AES-GCM key material for credentials stored in the database. */
  ENCRYPTION_KEY: secret('ENCRYPTION_KEY'),
  QSTASH_CURRENT_SIGNING_KEY: secret('QSTASH_CURRENT_SIGNING_KEY'),
  QSTASH_NEXT_SIGNING_KEY: secret('QSTASH_NEXT_SIGNING_KEY'),
  /** Extra origins allowed to call the API with credentials (comma separated). */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
  /** Sign-in and sign-up attempts allowed per IP every 10 minutes (per account it is 10 per 15 minutes). */
  AUTH_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(30),
  /**
   * Node only (Workers always use Cloudflare's CF-Connecting-IP). Empty: the client is the socket's
   * address and X-Forwarded-For is ignored, so nobody escapes the per-IP limits by sending one.
   * Behind a reverse proxy: the proxies to believe, as `loopback`, `uniquelocal`, addresses or CIDRs
   * (comma separated; X-Forwarded-For is read right to left, skipping them), or the number of proxy
   * hops in front of the server (`1` for one nginx).
   */
  TRUST_PROXY: trustProxy,
  /**
   * Node only: host names the server answers besides APP_URL's host, loopback names and IP
   * addresses (comma separated, `name` or `name:port`). Any other Host header is refused with 421,
   * which stops DNS rebinding (a hostile page whose name points at 127.0.0.1) from reading the API.
   */
  ALLOWED_HOSTS: hostList,
  /**
   * Local runtime only: lets a script or test holding this key read any recipient's mail in the
   * dev outbox (`X-Dev-Outbox-Key`). Unset, each signed-in user reads only mail to their own email.
   */
  DEV_OUTBOX_KEY: z.string().min(16, 'DEV_OUTBOX_KEY must be at least 16 characters').optional(),
  /** OpenAI (or any OpenAI-compatible server) for embeddings and chat; optional. */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  GROQ_API_KEY: z.string().optional(),
  GROQ_BASE_URL: z.url().optional(),
  /** Any OpenAI-compatible server (Ollama, vLLM, LM Studio): base URL, key and model names. */
  COMPATIBLE_BASE_URL: z.url().optional(),
  COMPATIBLE_API_KEY: z.string().optional(),
  COMPATIBLE_MODELS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  /** Upper bound for one model call; past it the fallback model (or message) answers. */
  MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Largest upload accepted by the knowledge base, bytes (default 25 MB). */
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  /**
   * Lets every tenant-aimed request (URL imports and crawls, provider base URLs, webhooks) reach
   * loopback, private (RFC 1918, unique local) and CGNAT addresses, and webhooks use plain http
   * to them. Only for local development and tests: in production it would let any tenant make the
   * server fetch internal services (SSRF). Cloud metadata, link-local and reserved ranges stay
   * refused either way. The table of ranges is in `lib/network.ts`.
   */
  ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Outgoing webhooks: one delivery attempt's time limit (connect, send, read the answer). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * First retry delay; each next one is 4 times longer. With 8 attempts the default (15 s) spreads
   * retries over about 23 hours: 15 s, 1 min, 4 min, 16 min, 1 h, 4.3 h, 17 h. Tests set 0.
   */
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0).default(15),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  /** Deliveries failing for good in a row before an endpoint is disabled and its admins are mailed. */
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().positive().default(10),
  /** Deprecated: the old name of ALLOW_PRIVATE_URLS, still honoured by the local runtime only. */
  WEBHOOKS_ALLOW_LOOPBACK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Widget chat limits: messages per minute per visitor session and per IP. */
  WIDGET_MESSAGES_PER_SESSION: z.coerce.number().int().positive().default(20),
  WIDGET_MESSAGES_PER_IP: z.coerce.number().int().positive().default(120),
  /**
   * Load shedding of chat answers on the local runtime (one process, core/chat/admission.ts): the
   * cap on turns answered at once (the limit itself is measured), turns waiting, the expected wait
   * past which a message is refused with 503 and Retry-After, and how long a started turn may take
   * before the measured limit shrinks.
   */
  CHAT_MAX_CONCURRENT: z.coerce.number().int().positive().default(64),
  CHAT_MAX_QUEUE: z.coerce.number().int().min(0).default(64),
  CHAT_MAX_WAIT_MS: z.coerce.number().int().positive().default(1000),
  CHAT_TARGET_TURN_MS: z.coerce.number().int().positive().default(1500),
  /**
   * A flow turn's visitor message waits up to this long to be announced to the live inbox together
   * with the flow's answer (one KV round trip for both at the edge), core/chat/announce.ts.
   */
  CHAT_ANNOUNCE_HOLD_MS: z.coerce.number().int().min(0).default(250),
  /**
   * Local runtime: worker threads for ingestion's computation (extraction, chunking, built-in
   * embeddings), default one per core beyond the first; 0 runs it on the request thread. Each
   * worker's heap is capped, so a hostile file kills its worker, not the server.
   */
  INGEST_WORKERS: z.coerce.number().int().min(0).max(16).optional(),
  INGEST_WORKER_MAX_MEMORY_MB: z.coerce.number().int().min(16).default(1024),
  /**
   * Complete local days each nightly analytics roll-up recomputes (yesterday and the days before),
   * so ratings and resolutions that arrive late still reach `daily_metrics`.
   */
  ANALYTICS_ROLLUP_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(31).default(3),
  MAIL_FROM: z.string().default('VersaAI <no-reply@versaai.local>'),
  /**
   * DNS-over-HTTPS resolver (JSON API, `application/dns-json`) that reads the TXT records proving an
   * organization owns an email domain for single sign-on. Tests point it at a local server.
   */
  DNS_RESOLVER_URL: z.url().default('https://cloudflare-dns.com/dns-query'),
  /** Days between an owner deleting an organization and its purge; it can be cancelled meanwhile. */
  ORG_DELETION_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(14),
  /** How often a live event stream looks for new events (Redis streams over REST cannot block). */
  EVENTS_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** A live event stream ends after this long; clients reconnect with Last-Event-ID. */
  EVENTS_STREAM_SECONDS: z.coerce.number().int().min(1).default(55),
  /**
   * The same for a pushed stream (a Durable Object, or the local runtime's hub): it costs nothing
   * while idle, so it lasts longer; each reconnect re-checks the caller (a KV and a SQL read).
   */
  EVENTS_PUSH_STREAM_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Body size limit for JSON requests, bytes. */
  MAX_JSON_BYTES: z.coerce.number().int().positive().default(1_000_000),
  /** Meta Graph API (WhatsApp Cloud API, Messenger, Instagram): origin and version; tests and staging point elsewhere. */
  META_GRAPH_API_URL: z.url().default('https://graph.facebook.com').transform((url) => url.replace(/\/+$/, '')),
  META_GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'META_GRAPH_API_VERSION looks like v26.0').default('v26.0'),
  /** Telegram Bot API origin. */
  TELEGRAM_API_URL: z.url().default('https://api.telegram.org').transform((url) => url.replace(/\/+$/, '')),
  /**
   * Email channels: the domain of every organization's inbox address (`acme-x7k2p9q4ab@<domain>`),
   * whose mail a provider (Mailgun inbound routes, Cloudflare Email Routing) hands to us. Replies
   * go out through the mail port from that address.
   */
  EMAIL_INBOUND_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'EMAIL_INBOUND_DOMAIN is a domain name, like inbound.example.com')
    .default('inbound.versaai.local'),
  /**
   * Mailgun's messages API for email channels' replies (`POST {url}/v3/{domain}/messages`,
   * multipart, files as `attachment` fields). Without a key replies go through the mail port.
   * The domain defaults to EMAIL_INBOUND_DOMAIN, which the inbox addresses live on.
   */
  MAILGUN_API_URL: z.url().default('https://api.mailgun.net').transform((url) => url.replace(/\/+$/, '')),
  MAILGUN_API_KEY: z.string().min(1).optional(),
  MAILGUN_DOMAIN: z.string().min(1).optional(),
  /** A signed inbound-mail webhook older than this is refused (replays), seconds. */
  EMAIL_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(900),
  /** The largest inbound mail accepted (body and attachments), and the largest attachment kept, bytes. */
  EMAIL_MAX_BYTES: z.coerce.number().int().positive().default(25_000_000),
  EMAIL_ATTACHMENT_MAX_BYTES: z.coerce.number().int().positive().default(10_000_000),
  /** Slack Web API origin (`/api/auth.test`, `/api/chat.postMessage`). */
  SLACK_API_URL: z.url().default('https://slack.com').transform((url) => url.replace(/\/+$/, '')),
  /** Discord REST origin (`/api/v10/...`) and Gateway websocket URL. */
  DISCORD_API_URL: z.url().default('https://discord.com').transform((url) => url.replace(/\/+$/, '')),
  DISCORD_GATEWAY_URL: z.string().regex(/^wss?:\/\//, 'A ws:// or wss:// URL').default('wss://gateway.discord.gg'),
  /** Largest file taken from Slack (and Discord) into blob storage, bytes; bigger ones are recorded as too large. */
  CHANNEL_FILE_MAX_BYTES: z.coerce.number().int().positive().default(25_000_000),
  /** Upper bound for one call to a platform API (send, connect checks), ms. */
  CHANNEL_API_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Sending a channel message: attempts before it is marked failed, first retry delay (doubles), and the longest wait. */
  CHANNEL_SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
  CHANNEL_RETRY_BASE_SECONDS: z.coerce.number().min(0).default(10),
  /** WhatsApp's customer service window (24 h, Meta's rule); only the browser tests shorten it, to see it close. */
  WHATSAPP_WINDOW_SECONDS: z.coerce.number().int().min(1).default(86_400),
  CHANNEL_RETRY_MAX_SECONDS: z.coerce.number().min(0).default(3600),
  /**
   * Billing with Stripe. Without a secret key billing is off and every organization is on the
   * `unlimited` plan (self-hosting); with one, new organizations start on `free` and upgrade
   * through Checkout. The webhook secret verifies `Stripe-Signature`; the price ids say which
   * Stripe price is which plan (core/billing/plans.ts).
   */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_PRICE_PRO: z.string().min(1).optional(),
  STRIPE_PRICE_BUSINESS: z.string().min(1).optional(),
  /** Where the Stripe client sends its requests (tests run a local server that speaks Stripe's wire format). */
  STRIPE_API_URL: z.url().default('https://api.stripe.com').transform((url) => url.replace(/\/+$/, '')),
});

export type Config = z.infer<typeof configSchema>;

/** Parse config or fail loudly with every missing/invalid variable by name. */
export function parseConfig(input: Record<string, unknown>): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid VersaAI configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
