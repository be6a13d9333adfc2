import { afterThisTask } from './next-task';

/**
 * Lets the answer's tokens already handed to the response stream reach the socket before the turn
 * stores the answer. With a fast model every token arrives at once, and the answer's insert (and
 * what follows it) would run before the first token left the server (with PGlite on the same
 * thread, LOCAL_DATABASE_THREAD=caller, it blocked it too). Not a microtask: the response
 * stream's pump and the socket write need the loop itself.
 */
export function letTokensOut(): Promise<void> {
  return new Promise((resolve) => afterThisTask(resolve));
}
