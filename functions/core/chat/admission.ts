import { ApiError } from '../../lib/errors';

/**
 * Load shedding for answers. A process can only answer so many chat turns at once (on the local
 * runtime every turn shares one database connection and one thread); past that, waiting longer
 * does not help the visitor, it only makes every answer late. So a turn either starts now, waits
 * in a short queue whose expected wait stays under `maxWaitMs`, or is refused at once with 503
 * `overloaded` and `Retry-After`, before anything is stored, so the client still holds the text
 * and sends it again. A turn that was let in (started or queued) is never refused later.
 *
 * How many turns run at once is measured, not configured: the limit follows the turns' own
 * durations (additive increase while turns finish within `targetTurnMs`, multiplicative decrease
 * when they do not, as TCP and Netflix's concurrency-limits do), so it settles where the machine
 * answers in time, whatever the machine, the model or the other work on it, and shrinks while
 * the runtime is congested (`congested`) however fast turns still are. `maxConcurrent` only caps it.
 *
 * Per process: the local runtime creates one. At the edge each isolate would only see its own
 * share of the traffic, so there the per-session and per-IP rate limits are what bound load.
 */
export interface AdmissionOptions {
  /** The most turns answered at the same time (the measured limit never goes above it). */
  maxConcurrent: number;
  /** Turns waiting for a slot; one more is refused. */
  maxQueue: number;
  /** Expected queueing time past which a new turn is refused instead of queued. */
  maxWaitMs: number;
  /** How long a turn may take once started; the limit shrinks when turns take longer. */
  targetTurnMs?: number;
  /** The limit before anything has been measured. */
  initialConcurrent?: number;
  /** Expected duration of a turn before any has been measured. */
  initialTurnMs?: number;
  /**
   * Whether what turns run on is backed up right now (the local runtime: the database gate's
   * queue, that is the event loop's). A turn that ends while it is counts as late even when it
   * was fast: fewer turns at once keep the loop free to read new requests, refusals included,
   * and new turns are refused sooner instead of queueing behind the backlog.
   */
  congested?: () => boolean;
  /** The clock (tests). */
  now?: () => number;
}

export interface AdmissionStats {
  active: number;
  queued: number;
  refused: number;
  /** The current measured limit of turns at once. */
  limit: number;
  averageTurnMs: number;
}

export interface Admission {
  /**
   * Synchronous: takes a slot or a place in the queue and returns a promise of the slot, or
   * throws ApiError `overloaded` at once. Call the slot's release when the turn ends.
   */
  admit(): Promise<() => void>;
  /** `admit` as a rejected promise instead of a throw. */
  enter(): Promise<() => void>;
  stats(): AdmissionStats;
}

/** Weight of the newest turn in the moving average of turn durations. */
const SMOOTHING = 0.1;
const MAX_RETRY_AFTER_SECONDS = 30;
/** Multiplicative decrease when turns run late. */
const BACKOFF = 0.75;

export function overloaded(retryAfterSeconds: number): ApiError {
  const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(retryAfterSeconds)));
  return new ApiError('overloaded', 'The assistant is busy right now; send the message again in a moment', {
    headers: { 'Retry-After': String(seconds) },
    details: { retryAfterSeconds: seconds },
  });
}

export function createAdmission(options: AdmissionOptions): Admission {
  const now = options.now ?? (() => performance.now());
  const ceiling = Math.max(1, options.maxConcurrent);
  const targetTurnMs = options.targetTurnMs ?? 1500;
  const queue: Array<(release: () => void) => void> = [];
  let limit = Math.min(ceiling, Math.max(1, options.initialConcurrent ?? 4));
  let active = 0;
  let refused = 0;
  let averageTurnMs = options.initialTurnMs ?? 500;
  let lastDecrease = -Infinity;

  const slots = () => Math.max(1, Math.floor(limit));
  const expectedWaitMs = (position: number) => (position * averageTurnMs) / slots();

  /** Follows one finished turn: grow while turns are fast and the limit was the bound, shrink when late. */
  const learn = (tookMs: number, activeAtStart: number, finishedAt: number) => {
    averageTurnMs += SMOOTHING * (tookMs - averageTurnMs);
    if (tookMs > targetTurnMs || options.congested?.()) {
      // Once per turn duration: the turns already running started under the old limit.
      if (finishedAt - lastDecrease > averageTurnMs) {
        limit = Math.max(1, limit * BACKOFF);
        lastDecrease = finishedAt;
      }
      return;
    }
    // Only a limit that was reached has been tested; an idle server learns nothing about it.
    if (activeAtStart + 1 < slots()) return;
    // Fast turns (under half the target) grow the limit quickly, near the target slowly.
    limit = Math.min(ceiling, limit + (tookMs < targetTurnMs / 2 ? 1 : 1 / limit));
  };

  const slot = (): (() => void) => {
    const activeAtStart = active;
    active++;
    const started = now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      const finished = now();
      learn(finished - started, activeAtStart, finished);
      while (queue.length > 0 && active < slots()) queue.shift()!(slot());
    };
  };

  const admit = (): Promise<() => void> => {
    if (active < slots() && queue.length === 0) return Promise.resolve(slot());
    const wait = expectedWaitMs(queue.length + 1);
    if (queue.length >= options.maxQueue || wait > options.maxWaitMs) {
      refused++;
      // Back when about one turn's worth of slots has freed: a second, or a slow turn's length.
      throw overloaded(Math.max(wait, averageTurnMs) / 1000);
    }
    return new Promise((resolve) => queue.push(resolve));
  };

  return {
    admit,
    enter() {
      try {
        return admit();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    stats: () => ({ active, queued: queue.length, refused, limit: Math.round(limit * 100) / 100, averageTurnMs: Math.round(averageTurnMs) }),
  };
}

/** Holds an admission slot while a turn's events stream, and gives it back however the stream ends. */
export async function* admitted<T>(release: () => void, events: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* events;
  } finally {
    release();
  }
}
