import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { ApiError } from './errors';
import type { AppEnv } from './env';
import { findUnstorableText, isStorableText } from './text';

/**
 * One check of every request's text before any route sees it: query values and JSON bodies.
 * Bodies must be UTF-8 JSON (or multipart for uploads); a string Postgres could not store is
 * refused with 422 `invalid_text` naming the field, except a chat message, which the chat cleans
 * when it stores it (see lib/text.ts for the rule and why).
 */

/** Signed raw bodies: the route verifies the signature over the exact bytes and parses them itself. */
const RAW_BODY_PREFIXES = ['/api/jobs/', '/api/v1/channels/'];

/**
 * Body fields that are a chat message someone typed: let through, and cleaned where the chat
 * stores them (core/chat/store.ts, engine.ts), so what a visitor wrote is never refused or lost.
 */
const CHAT_MESSAGE_FIELDS: Array<{ route: RegExp; field: string }> = [
  { route: /^\/api\/v1\/widget\/[^/]+\/chat$/, field: 'message' },
  { route: /^\/api\/v1\/chatbots\/[^/]+\/test$/, field: 'message' },
  { route: /^\/api\/v1\/conversations\/?$/, field: 'message' },
  { route: /^\/api\/v1\/conversations\/[^/]+\/messages$/, field: 'content' },
];

const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

function invalidText(path: string) {
  return new ApiError('invalid_text', 'The request contains text that cannot be stored (a NUL character or a lone UTF-16 surrogate)', {
    details: [{ path, message: 'Remove NUL characters and unpaired surrogates', code: 'invalid_text' }],
  });
}

function checkQuery(url: string) {
  const query = url.indexOf('?');
  if (query < 0) return;
  for (const pair of url.slice(query + 1).split('&')) {
    const [name, value = ''] = pair.split('=');
    let decoded: string;
    try {
      decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      throw new ApiError('bad_request', `The query parameter "${name.slice(0, 50)}" has a malformed percent-escape`);
    }
    if (!isStorableText(decoded)) throw invalidText(`query.${name.slice(0, 50)}`);
  }
}

function isJson(contentType: string) {
  return /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim());
}

export const checkRequestText = createMiddleware<AppEnv>(async (c, next) => {
  checkQuery(c.req.url);
  const path = c.req.path;
  // By method, not `c.req.raw.body === null`: on Node reading `.body` turns the adapter's light
  // request into a full web Request whose body is a web stream; a bodiless request reads 0 bytes below.
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || RAW_BODY_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
  const contentType = c.req.header('content-type') ?? '';
  if (FORM_TYPES.some((type) => contentType.toLowerCase().startsWith(type))) return next();
  // Read once as bytes: Hono serves later text()/json() calls from this, and the bytes stay exact.
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength === 0) return next();
  if (!isJson(contentType)) {
    throw new ApiError('unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json"');
  }
  let text: string;
  let body: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    body = JSON.parse(text);
  } catch (error) {
    throw new ApiError('bad_request', error instanceof SyntaxError ? 'The request body is not valid JSON' : 'The request body is not valid UTF-8');
  }
  // A route's json() reads this text: from the bytes alone, Hono built a Response to decode them
  // again. (Hono keeps promises in bodyCache; its type says values.)
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
  const chatField = CHAT_MESSAGE_FIELDS.find((f) => f.route.test(path))?.field;
  const unstorable = findUnstorableText(body, [], chatField);
  if (unstorable !== null) throw invalidText(unstorable);
  await next();
});

/**
 * Hono's `bodyLimit`, without building a whole web Request on Node when the size is declared. Its
 * first check reads `c.req.raw.body`, which turns @hono/node-server's light request into a web
 * Request with a stream body: about 0.3 ms of every request with a body (a tenth of a chat
 * message's time before its first statement), and every later read of the body then went through
 * that stream instead of the adapter's direct read. A declared Content-Length without
 * Transfer-Encoding is all Hono checks in that case too; anything else (chunked) goes to Hono's.
 */
export function limitBody(maxSize: number, onError: () => never): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(declared, 10) > maxSize) onError();
      return next();
    }
    return bodyLimit({ maxSize, onError })(c, next);
  };
}
