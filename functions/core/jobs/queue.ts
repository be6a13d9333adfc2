import type { MailMessage, Queue, QueueTransport } from '../../ports';
import { DAILY_JOBS, jobOptions, SWEEP_INTERVAL_MINUTES, SWEEP_JOB } from './catalog';

/** The typed queue handlers use, over a runtime's transport (QStash, or the local runner). */
export function jobQueue(transport: QueueTransport): Queue {
  return {
    enqueue: (name, payload, options) => transport.enqueue(name, payload, jobOptions(name, payload, options)),
    ping: () => transport.ping(),
  };
}

/** Queues the daily jobs for `day` (YYYY-MM-DD); their idempotency key makes repeats harmless. */
export async function enqueueDailyJobs(services: Pick<{ queue: Queue }, 'queue'>, day: string) {
  const ids: string[] = [];
  for (const name of DAILY_JOBS) {
    const { messageId } = await services.queue.enqueue(name, { day });
    ids.push(messageId);
  }
  return ids;
}

/** Queue a mail; delivery happens in the `send-mail` job with retries. */
export function enqueueMail(services: { queue: Queue }, message: MailMessage) {
  return services.queue.enqueue('send-mail', message);
}

/** Queues the sweep once per interval slot (`at` rounded down); repeats within a slot are dropped. */
export async function enqueueSweep(services: Pick<{ queue: Queue }, 'queue'>, at = new Date()) {
  const slot = Math.floor(at.getTime() / (SWEEP_INTERVAL_MINUTES * 60_000));
  return services.queue.enqueue(SWEEP_JOB, {}, { deduplicationId: `${SWEEP_JOB}:${slot}` });
}
