/**
 * Runs `callback` after the current task: after its microtasks and, on Node, once the loop has
 * flushed what the task wrote (Node uncorks a response on the next tick, before this). Node has
 * `setImmediate`, a few microseconds; its `setTimeout(fn, 0)` waits at least a millisecond, which
 * every chat turn paid where it waited this way. Workers have no `setImmediate` (without
 * nodejs_compat): there a 0 ms timer, which runs as soon as the task is done.
 */
export const afterThisTask: (callback: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (callback) => void globalThis.setImmediate(callback) : (callback) => void setTimeout(callback, 0);
