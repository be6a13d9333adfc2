import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../lib/env';

/**
 * Admission for chat turns at the door: registered before anything awaits I/O (reading the body,
 * the session check, the bot lookup, the limits), so an overloaded runtime refuses a message in
 * the time it takes to parse its headers, and refused requests add no work to the database that
 * is already the bottleneck. The handler claims the slot (`claimAdmission`) and holds it while the
 * answer streams; a request that ends before the handler claims it (bad session, limits, invalid
 * body) gives it back here.
 */
interface Ticket {
  slot: Promise<() => void>;
  claimed: boolean;
}

// Keyed by the context, which every middleware and the handler share (a body limit may replace the Request).
const tickets = new WeakMap<Context, Ticket>();

export const admitChatTurn = createMiddleware<AppEnv>(async (c, next) => {
  const admission = c.get('services').admission;
  if (!admission || c.req.method !== 'POST') return next();
  // Throws `overloaded` (503 + Retry-After) synchronously: nothing has been awaited yet.
  const ticket: Ticket = { slot: admission.admit(), claimed: false };
  tickets.set(c, ticket);
  try {
    // A queued turn waits here (a short, bounded wait: it was let in because the expected wait fits).
    await ticket.slot;
    await next();
  } finally {
    if (!ticket.claimed) (await ticket.slot)();
  }
});

/**
 * The slot `admitChatTurn` took for this request; the caller releases it when the turn ends. With
 * no admission (the edge) or no ticket, a slot is taken now (or a no-op when there is no admission).
 */
export async function claimAdmission(c: Context<AppEnv>): Promise<() => void> {
  const ticket = tickets.get(c);
  if (ticket) {
    ticket.claimed = true;
    return ticket.slot;
  }
  const admission = c.get('services').admission;
  return admission ? admission.enter() : () => {};
}
