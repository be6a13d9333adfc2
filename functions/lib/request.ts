import type { Context } from 'hono';

/**
 * The caller's IP. On Workers Cloudflare sets `cf-connecting-ip` (and overwrites any value a client
 * sends); the Node server sets `x-real-ip` from the socket, overwriting any client value too.
 */
export function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-real-ip') ?? 'unknown';
}

export function userAgent(c: Context): string | null {
  return c.req.header('user-agent')?.slice(0, 500) ?? null;
}
