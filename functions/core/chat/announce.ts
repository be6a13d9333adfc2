import type { Services } from '../../ports';
import { logError } from '../../lib/log';

/**
 * A chat turn's announcements to the live inbox (core/events/publish.ts), kept off the visitor's
 * wait and in the order they happened. At the edge each announcement is a KV round trip (the
 * stream append) and a Durable Object request (the push), so the turn no longer waits on them:
 * - the visitor's message is announced while the turn answers; on a flow turn, which answers
 *   within milliseconds, it is held for the answer's announcement and both go out together
 *   (at the edge one KV round trip, the visitor's message appended first), unless something else
 *   is announced first, the turn ends without an answer, or the hold runs out;
 * - what the turn announces next is published once the previous announcement is written (or in
 *   the same round trip, behind it), so the inbox's stream keeps the order;
 * - the answer's announcement, when the answer travels in the response (widget, playground, API),
 *   goes out after it (`services.waitUntil`); a channel's or a late answer is still awaited, as
 *   nobody waits on that response.
 * A failure is logged, as the live stream logs its own; it never fails the turn nor stops the
 * announcements after it.
 */
export type Announced = Promise<void>;

export const NOTHING_ANNOUNCED: Announced = Promise.resolve();

function settled(services: Pick<Services, 'waitUntil'>, published: Promise<unknown>): Announced {
  const done = published.then(
    () => undefined,
    (error: unknown) => logError('announcing to the live inbox failed', error),
  );
  services.waitUntil(done);
  return done;
}

/** Starts `publish` after `previous` (whether or not that one failed), handed to `waitUntil`. */
export function announceAfter(services: Pick<Services, 'waitUntil'>, previous: Announced, publish: () => Promise<unknown>): Announced {
  return settled(services, previous.then(publish));
}

export interface TurnAnnouncements {
  /** Everything announced so far (a held visitor message goes out now), published. */
  published(): Announced;
  /** Publishes `next` after everything announced so far. */
  announce(next: () => Promise<unknown>): Announced;
}

/**
 * The turn's announcements, starting with the visitor's message (`first`): published at once, or
 * with `holdMs` kept for up to that long for the next announcement (the answer's). Its
 * publications must start their appends in the turn they are called (publishEvent does), so
 * `first`'s come before `next`'s in the shared round trip.
 */
export function turnAnnouncements(services: Pick<Services, 'waitUntil'>, first: () => Promise<unknown>, options: { holdMs: number }): TurnAnnouncements {
  let last: Announced | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const release = (next?: () => Promise<unknown>): Announced => {
    clearTimeout(timer);
    // Called in this order in this turn: the visitor's appends are queued first.
    const firstDone = settled(services, first());
    last = next ? announceTogether(services, firstDone, next) : firstDone;
    return last;
  };
  if (options.holdMs > 0) timer = setTimeout(() => last ?? release(), options.holdMs);
  else release();
  return {
    published: () => last ?? release(),
    announce: (next) => (last ? (last = announceAfter(services, last, next)) : release(next)),
  };
}

/** `next` started now (its appends behind those already queued), settled once `previous` is too. */
function announceTogether(services: Pick<Services, 'waitUntil'>, previous: Announced, next: () => Promise<unknown>): Announced {
  return settled(services, Promise.all([previous, next()]));
}

export interface AnsweringTurn {
  channel: string;
  /** Answered after the chat request ended: nobody reads this response. */
  late?: boolean;
  /** What the turn announced before its answer (the visitor's message). */
  announcements?: TurnAnnouncements;
}

/** The widget, the playground and the API get the answer in the response itself. */
function answeredInResponse(turn: AnsweringTurn) {
  return !turn.late && (turn.channel === 'web' || turn.channel === 'playground' || turn.channel === 'api');
}

/**
 * The answer's announcement, after the turn's earlier ones. Resolves at once when the answer is in
 * the response (the inbox's copy follows it), once published otherwise, or when the turn announces
 * `more` after it (a handoff), which must come later in the stream.
 */
export function announceAnswer(services: Pick<Services, 'waitUntil'>, turn: AnsweringTurn, publish: () => Promise<unknown>, options: { more?: boolean } = {}): Promise<void> {
  const published = turn.announcements ? turn.announcements.announce(publish) : announceAfter(services, NOTHING_ANNOUNCED, publish);
  return options.more || !answeredInResponse(turn) ? published : NOTHING_ANNOUNCED;
}

/** Waits for what the turn announced so far, before announcing something itself (a handoff, a flow's event). */
export function announcedSoFar(turn: Pick<AnsweringTurn, 'announcements'>): Announced {
  return turn.announcements?.published() ?? NOTHING_ANNOUNCED;
}
