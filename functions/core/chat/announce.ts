import type { Services } from '../../ports';
import { logError } from '../../lib/log';

/**
 * A chat turn's announcements to the live inbox (core/events/publish.ts), kept off the visitor's
 * wait and in the order they happened. At the edge each announcement is a KV round trip (the
 * stream append) and a Durable Object request (the push), so the turn no longer waits on them:
 * - the visitor's message is announced as soon as it is stored, while the turn goes on answering;
 * - what the turn announces next is published once the previous announcement is written, so the
 *   inbox's stream keeps the order (two appends in flight could land either way round);
 * - the answer's own announcement, when the answer travels in the response (widget, playground,
 *   API), goes out after it (`services.waitUntil`); a channel's or a late answer is still awaited,
 *   as nobody waits on that response.
 * A failure is logged, as the live stream logs its own; it never fails the turn nor stops the
 * announcements after it.
 */
export type Announced = Promise<void>;

export const NOTHING_ANNOUNCED: Announced = Promise.resolve();

/** Starts `publish` after `previous` (whether or not that one failed), handed to `waitUntil`. */
export function announceAfter(services: Pick<Services, 'waitUntil'>, previous: Announced, publish: () => Promise<unknown>): Announced {
  const published = previous.then(publish).then(
    () => undefined,
    (error: unknown) => logError('announcing to the live inbox failed', error),
  );
  services.waitUntil(published);
  return published;
}

export interface AnsweringTurn {
  channel: string;
  /** Answered after the chat request ended: nobody reads this response. */
  late?: boolean;
  /** What the turn announced before its answer (the visitor's message). */
  announced?: Announced;
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
  const published = announceAfter(services, turn.announced ?? NOTHING_ANNOUNCED, publish);
  return options.more || !answeredInResponse(turn) ? published : NOTHING_ANNOUNCED;
}
