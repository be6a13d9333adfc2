import type { MailMessage, Queue, QueueTransport } from '../../ports';
import { DAILY_JOBS, jobOptions } from './catalog';

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
