import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { jobCatalog, jobOptions } from '../core/jobs/catalog';

/**
 * The job route checks each payload against the catalog's schema, through the real signed path
 * (the local runner signs like QStash). The raw runner is used on purpose: the typed queue would
 * not even let a caller build a payload that breaks its schema.
 */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

async function jobRow(id: string) {
  const result = await api.runtime.services.db.execute(sql`select status, attempts, last_error from local_jobs where id = ${id}`);
  return (result as unknown as { rows: Array<{ status: string; attempts: number; last_error: string | null }> }).rows[0];
}

describe('job route', () => {
  it('refuses a payload that does not match its schema with a 4xx in the error shape, and it is not retried', async () => {
    const { messageId } = await api.runtime.queue.enqueue('deliver-webhook', { deliveryId: 'not-a-uuid', attempt: 0 }, { retries: 3 });
    await api.runtime.queue.drain();
    const row = await jobRow(messageId);
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row.last_error).toMatch(/^HTTP 489: /);
    // The runner keeps the first 500 characters of the answer: the error shape with the schema's issues.
    expect(row.last_error).toContain('{"error":{"code":"bad_request","message":"The job payload does not match its schema","details":[');
    expect(row.last_error).toContain('"path":["deliveryId"]');
  });

  it('refuses a payload of the wrong kind the same way', async () => {
    const { messageId } = await api.runtime.queue.enqueue('send-mail', 'just a string');
    await api.runtime.queue.drain();
    expect(await jobRow(messageId)).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('runs a payload that matches', async () => {
    const { messageId } = await api.runtime.queue.enqueue('purge-expired', { day: '2026-01-01' });
    await api.runtime.queue.drain();
    expect(await jobRow(messageId)).toMatchObject({ status: 'done', attempts: 1, last_error: null });
  });
});

describe('job catalog', () => {
  it('gives every enqueue its retries and idempotency key, and a caller may override them', () => {
    expect(jobOptions('deliver-webhook', { deliveryId: 'd', organizationId: 'o', attempt: 2 })).toEqual({ retries: 3, deduplicationId: 'webhook-d-2' });
    expect(jobOptions('embed-chunks', { documentId: 'd', generation: 1, from: 0, to: 8 })).toEqual({ retries: 3 });
    expect(jobOptions('crawl-page', { documentId: 'd', discoverOnly: true })).toEqual({ retries: 3 });
    expect(jobOptions('purge-expired', { day: '2026-01-01' }, { delaySeconds: 5, retries: 0 })).toEqual({ delaySeconds: 5, retries: 0, deduplicationId: 'purge-expired:2026-01-01' });
    expect(Object.values(jobCatalog).every((spec) => Number.isInteger(spec.retries))).toBe(true);
  });
});
