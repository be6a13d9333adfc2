import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { loadBotRuntime, type BotRuntime } from '../core/chat/bot-runtime';
import { verifyWidgetSession, type WidgetSession } from '../core/chat/widget-session';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import type { RateLimitCheck, RateLimitResult } from '../ports';

function originAllowed(allowed: string[], origin: string | undefined): boolean {
  if (!origin || allowed.length === 0) return true;
  return allowed.includes(origin);
}

/** Loads the active bot, enforces its allowed origins, and answers CORS for them. */
export const widgetBot = createMiddleware<AppEnv>(async (c, next) => {
  const botId = c.req.param('chatbot_id') ?? '';
  const origin = c.req.header('origin');
  const bot = await (chatLookups.get(c)?.bot ?? lookUpBot(c, botId));
  if (!bot || bot.status !== 'active') {
    // Readable by the embedding page, so the widget can tell "not available" from a network error.
    if (origin) c.header('Access-Control-Allow-Origin', origin);
    throw new ApiError('not_found', 'This chatbot is not available');
  }
  // A disallowed site gets no CORS header: the browser keeps the answer from it entirely.
  if (!originAllowed(bot.allowedOrigins, origin)) {
    throw new ApiError('forbidden', 'This site is not allowed to embed this chatbot');
  }
  if (origin) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    c.header('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
  }
  if (c.req.method === 'OPTIONS') {
    c.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Last-Event-ID');
    c.header('Access-Control-Max-Age', '600');
    return c.body(null, 204);
  }
  c.set('widgetBot', bot);
  await next();
});

/** The visitor's session from the Bearer token; the widget starts one with POST .../session. */
export async function visitorSession(c: Context<AppEnv>, botId = c.get('widgetBot').id): Promise<WidgetSession> {
  const header = c.req.header('authorization') ?? '';
  const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7) : '';
  if (!token) throw new ApiError('unauthorized', 'Start a chat session first (POST .../session)');
  return verifyWidgetSession(token, botId, c.get('services').config.JWT_SECRET);
}

function lookUpBot(c: Context<AppEnv>, botId: string): Promise<BotRuntime | null> {
  return /^[0-9a-f-]{36}$/i.test(botId) ? loadBotRuntime(c.get('services'), botId) : Promise.resolve(null);
}

/** Keyed by the context, which every middleware and the handler share (a body limit may replace the Request). */
const chatLookups = new WeakMap<Context, ChatLookups>();

interface ChatLookups {
  session: WidgetSession;
  limits: Promise<RateLimitResult[]>;
  bot: Promise<BotRuntime | null>;
}

/**
 * At the door of POST .../chat (registered in app.ts right after admission, before the body is
 * read): checks the session (no I/O), then starts the session and IP limits and the bot lookup
 * in the same turn, so the edge sends the three in one KV round trip, and that round trip runs
 * while the body is read and checked. `widgetBot` takes the bot from here and the chat handler
 * the session and the limits (`chatLookupsOf`); a bad session is refused before anything is looked up.
 */
export function startChatLookups(limits: (c: Context<AppEnv>, session: WidgetSession) => RateLimitCheck[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const botId = c.req.param('chatbot_id') ?? '';
    const session = await visitorSession(c, botId);
    const lookups: ChatLookups = { session, limits: c.get('services').kv.rateLimitAll(limits(c, session)), bot: lookUpBot(c, botId) };
    // Read later; a request refused before then (a bad body, a 404 bot) never reads one.
    lookups.limits.catch(() => {});
    lookups.bot.catch(() => {});
    chatLookups.set(c, lookups);
    await next();
  });
}

/** The visitor's session `startChatLookups` checked for this request, and the limit results it started. */
export function chatLookupsOf(c: Context<AppEnv>): Pick<ChatLookups, 'session' | 'limits'> {
  const lookups = chatLookups.get(c);
  if (!lookups) throw new Error('startChatLookups must run before the chat route');
  return lookups;
}

