/**
 * Lets the answer's tokens already handed to the response stream reach the socket before the turn
 * stores the answer. With a fast model every token arrives at once, and the answer's insert (and
 * what follows it) would run before the first token left the server (with PGlite on the same
 * thread, LOCAL_DATABASE_THREAD=caller, it blocked it too). Not a microtask: the response
 * stream's pump and the socket write need the loop itself. On Node, `setImmediate` runs once the
 * loop has flushed what this turn wrote (Node uncorks a response on the next tick, before it), so
 * it costs a few microseconds where `setTimeout(0)` waited about a millisecond, on every answer.
 * Workers have no `setImmediate` (without nodejs_compat): there a timer.
 */
const nextLoopTurn: (resolve: () => void) => unknown =
  typeof globalThis.setImmediate === 'function' ? (resolve) => globalThis.setImmediate(resolve) : (resolve) => setTimeout(resolve, 0);

export function letTokensOut(): Promise<void> {
  return new Promise((resolve) => nextLoopTurn(resolve));
}
