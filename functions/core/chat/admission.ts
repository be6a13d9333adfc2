import { ApiError } from '../../lib/errors';

/**
 * Load shedding for answers. A process can only answer so many chat turns at once (on the local
 * runtime every turn shares one database connection and one thread); past that, waiting longer
 * does not help the visitor, it only makes every answer late. So a turn either starts now, waits
 * in a short queue whose expected wait stays under `maxWaitMs`, or is refused at once with 503
 * `overloaded` and `Retry-After`, before anything is stored, so the client still holds the text
 * and sends it again.
 *
 * Per process: the local runtime creates one. At the edge each isolate would only see its own
 * share of the traffic, so there the per-session and per-IP rate limits are what bound load.
 */
export interface AdmissionOptions {
  /** Turns answered at the same time. */
  maxConcurrent: number;
  /** Turns waiting for a slot; one more is refused. */
  maxQueue: number;
  /** Expected queueing time past which a new turn is refused instead of queued. */
  maxWaitMs: number;
  /** Expected duration of a turn before any has been measured. */
  initialTurnMs?: number;
}

export interface AdmissionStats {
  active: number;
  queued: number;
  refused: number;
  averageTurnMs: number;
}

export interface Admission {
  /** Waits for a slot or throws ApiError `overloaded`; call the returned function when the turn ends. */
  enter(): Promise<() => void>;
  stats(): AdmissionStats;
}

interface Waiter {
  resolve(release: () => void): void;
  reject(error: ApiError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Weight of the newest turn in the moving average of turn durations. */
const SMOOTHING = 0.1;
const MAX_RETRY_AFTER_SECONDS = 30;

export function overloaded(retryAfterSeconds: number): ApiError {
  const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(retryAfterSeconds)));
  return new ApiError('overloaded', 'The assistant is busy right now; send the message again in a moment', {
    headers: { 'Retry-After': String(seconds) },
    details: { retryAfterSeconds: seconds },
  });
}

export function createAdmission(options: AdmissionOptions): Admission {
  const maxConcurrent = Math.max(1, options.maxConcurrent);
  const queue: Waiter[] = [];
  let active = 0;
  let refused = 0;
  let averageTurnMs = options.initialTurnMs ?? 500;

  const expectedWaitMs = (position: number) => (position * averageTurnMs) / maxConcurrent;

  const slot = (): (() => void) => {
    active++;
    const started = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      averageTurnMs += SMOOTHING * (Date.now() - started - averageTurnMs);
      const next = queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve(slot());
      }
    };
  };

  const refuse = (waitMs: number) => {
    refused++;
    return overloaded(waitMs / 1000);
  };

  return {
    enter() {
      if (active < maxConcurrent && queue.length === 0) return Promise.resolve(slot());
      const wait = expectedWaitMs(queue.length + 1);
      if (queue.length >= options.maxQueue || wait > options.maxWaitMs) return Promise.reject(refuse(wait));
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          // A safety net when turns run far longer than measured: the visitor hears back anyway.
          timer: setTimeout(() => {
            const index = queue.indexOf(waiter);
            if (index >= 0) queue.splice(index, 1);
            reject(refuse(averageTurnMs));
          }, options.maxWaitMs * 2),
        };
        queue.push(waiter);
      });
    },
    stats: () => ({ active, queued: queue.length, refused, averageTurnMs: Math.round(averageTurnMs) }),
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
