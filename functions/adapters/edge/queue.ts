import { Client } from '@upstash/qstash';
import type { QueueTransport } from '../../ports';

export interface QStashQueueOptions {
  token: string;
  /** QStash API origin; tests point it at a local fake. */
  baseUrl: string;
  /** Public origin of this app: jobs are delivered to `${appUrl}/api/jobs/<name>`. */
  appUrl: string;
}

const DEFAULT_RETRIES = 3;

/** Background jobs through QStash: it POSTs the payload, signed, to our job route and retries on failure. */
export function createQStashQueue(options: QStashQueueOptions): QueueTransport {
  // devMode false: otherwise a QSTASH_DEV variable would silently swap in the dev server's URL and
  // token. Telemetry off, as for Redis.
  const client = new Client({ token: options.token, baseUrl: options.baseUrl, devMode: false, enableTelemetry: false });

  return {
    async enqueue(name, payload, enqueueOptions = {}) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`Invalid job name: ${name}`);
      const result = await client.publishJSON({
        // Exactly the URL the job route verifies as the signature's subject.
        url: `${options.appUrl.replace(/\/$/, '')}/api/jobs/${name}`,
        body: payload,
        retries: enqueueOptions.retries ?? DEFAULT_RETRIES,
        ...(enqueueOptions.delaySeconds ? { delay: Math.ceil(enqueueOptions.delaySeconds) } : {}),
        ...(enqueueOptions.deduplicationId ? { deduplicationId: enqueueOptions.deduplicationId } : {}),
      });
      return { messageId: result.messageId };
    },
    async ping() {
      // QStash has no ping endpoint. Listing queues (GET /v2/queues) is a cheap, read-only,
      // authenticated call: it proves the URL and token work without publishing anything, and
      // unlike GET /v2/keys it does not fetch signing keys into memory.
      await client.queue().list();
    },
  };
}
