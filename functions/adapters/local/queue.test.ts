import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Receiver } from '@upstash/qstash';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Database } from '../../ports';
import { openLocalDatabase, queryRows, type LocalDatabase } from './database';
import { createLocalQueue, type LocalQueueOptions } from './queue';

const currentSigningKey = 'sig_current_0123456789abcdefghijklmnopqrstuvwxyz';
const nextSigningKey = 'sig_next_0123456789abcdefghijklmnopqrstuvwxyz';
const baseUrl = 'http://localhost:8787';
const silent = { info() {}, warn() {}, error() {} };

interface Delivered {
  url: string;
  body: string;
  headers: Headers;
}

interface JobRow {
  id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  payload: unknown;
}

/** Until `probe` gives a value: the queue works in the background, on its own timers. */
function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeout = 10_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`still waiting for ${what}`);
      return value;
    },
    { timeout, interval: 10 },
  );
}

const jobs = (db: Database) => queryRows<JobRow>(db, sql`SELECT * FROM local_jobs ORDER BY created_at`);
const job = async (db: Database, id: string) =>
  (await queryRows<JobRow>(db, sql`SELECT * FROM local_jobs WHERE id = ${id}`))[0];

/** A queue whose deliveries are recorded and answered by `respond` (default 200). */
function testQueue(
  db: Database,
  respond: (n: number) => Response | Promise<Response> = () => new Response('ok'),
  options: Partial<LocalQueueOptions> = {},
) {
  const delivered: Delivered[] = [];
  const queue = createLocalQueue({
    db,
    signingKey: currentSigningKey,
    baseUrl,
    logger: silent,
    backoffBaseMs: 10,
    deliver: async (request) => {
      delivered.push({ url: request.url, body: await request.text(), headers: request.headers });
      return respond(delivered.length);
    },
    ...options,
  });
  onTestFinished(() => queue.stop());
  return { queue, delivered };
}

describe('createLocalQueue', () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await openLocalDatabase(null);
  });
  afterAll(() => local?.close());
  // Every test starts from an empty job table, so a runner never picks up another test's jobs.
  const db = () => {
    onTestFinished(async () => {
      await local.db.execute(sql`DELETE FROM local_jobs`);
    });
    return local.db;
  };

  it('delivers the signed request QStash would send', async () => {
    const d = db();
    const { queue, delivered } = testQueue(d);
    await queue.start();
    const payload = { documentId: 'doc_1', text: 'ñandú "quoted"' };
    const { messageId } = await queue.enqueue('ingest', payload);

    await waitFor(async () => (await job(d, messageId)).status === 'done', 'job done');
    expect(delivered).toHaveLength(1);
    const [req] = delivered;
    expect(req.url).toBe(`${baseUrl}/api/jobs/ingest`);
    expect(JSON.parse(req.body)).toEqual(payload);
    expect(req.headers.get('content-type')).toBe('application/json');
    expect(req.headers.get('upstash-message-id')).toBe(messageId);
    expect(req.headers.get('upstash-retried')).toBe('0');

    const receiver = new Receiver({ currentSigningKey, nextSigningKey });
    const signature = req.headers.get('upstash-signature') ?? '';
    await expect(receiver.verify({ signature, body: req.body, url: req.url })).resolves.toBe(true);
    await expect(receiver.verify({ signature, body: req.body + ' ', url: req.url })).rejects.toThrow();
    await expect(receiver.verify({ signature, body: req.body, url: `${baseUrl}/api/jobs/other` })).rejects.toThrow();
    const forged = new Receiver({ currentSigningKey: nextSigningKey, nextSigningKey: `${nextSigningKey}x` });
    await expect(forged.verify({ signature, body: req.body, url: req.url })).rejects.toThrow();
  });

  it('retries a failing delivery with back-off until it succeeds', async () => {
    const d = db();
    const { queue, delivered } = testQueue(d, (n) => {
      if (n === 1) return new Response('boom', { status: 500 });
      if (n === 2) throw new Error('connection reset');
      return new Response(null, { status: 204 });
    });
    await queue.start();
    const { messageId } = await queue.enqueue('reply', { n: 1 });

    const row = await waitFor(async () => {
      const r = await job(d, messageId);
      return r.status === 'done' && r;
    }, 'job done after retries');
    expect(row.attempts).toBe(3);
    expect(delivered.map((x) => x.headers.get('upstash-retried'))).toEqual(['0', '1', '2']);
  });

  it('marks a job dead after its attempts are used up', async () => {
    const d = db();
    const { queue, delivered } = testQueue(d, () => new Response('unavailable', { status: 503 }));
    await queue.start();
    const { messageId } = await queue.enqueue('webhook', { url: 'x' }, { retries: 2 });

    const row = await waitFor(async () => {
      const r = await job(d, messageId);
      return r.status === 'dead' && r;
    }, 'job dead');
    expect(row).toMatchObject({ attempts: 3, max_attempts: 3 });
    expect(row.last_error).toContain('HTTP 503: unavailable');
    expect(delivered).toHaveLength(3);
  });

  it('delivers a job once per deduplication id', async () => {
    const d = db();
    const { queue, delivered } = testQueue(d);
    const first = await queue.enqueue('reply', { a: 1 }, { deduplicationId: 'wamid.123' });
    const second = await queue.enqueue('reply', { a: 2 }, { deduplicationId: 'wamid.123' });
    const other = await queue.enqueue('reply', { a: 3 }, { deduplicationId: 'wamid.456' });
    expect(second.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);

    await queue.drain();
    expect(delivered.map((x) => JSON.parse(x.body))).toEqual([{ a: 1 }, { a: 3 }]);
  });

  it('waits for delaySeconds before delivering', async () => {
    const d = db();
    const { queue, delivered } = testQueue(d);
    await queue.enqueue('later', {}, { delaySeconds: 3600 });
    await queue.drain();
    expect(delivered).toHaveLength(0);
    expect((await jobs(d))[0].status).toBe('pending');
  });

  it('picks up a job a crashed process left running', async () => {
    const d = db();
    const before = testQueue(d);
    const { messageId } = await before.queue.enqueue('ingest', { doc: 1 });
    // What a crash mid-delivery leaves behind: claimed, never finished.
    await d.execute(sql`UPDATE local_jobs SET status = 'running', attempts = 1 WHERE id = ${messageId}`);

    const after = testQueue(d);
    await after.queue.start();
    await waitFor(async () => (await job(d, messageId)).status === 'done', 'orphaned job done');
    expect(after.delivered).toHaveLength(1);
    expect(before.delivered).toHaveLength(0);
  });

  it('stop() waits for the delivery in flight', async () => {
    const d = db();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { queue, delivered } = testQueue(d, async () => {
      await gate;
      return new Response('ok');
    });
    await queue.start();
    const { messageId } = await queue.enqueue('slow', {});
    await waitFor(async () => delivered.length === 1, 'delivery started');

    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await job(d, messageId)).status).toBe('done');
  });

  it('rejects job names that are not a path segment', async () => {
    const { queue } = testQueue(db());
    await expect(queue.enqueue('../admin', {})).rejects.toThrow(/invalid job name/);
    await expect(queue.enqueue('', {})).rejects.toThrow(/invalid job name/);
    await expect(queue.ping()).resolves.toBeUndefined();
  });
});

describe('local queue persistence', () => {
  it('keeps pending jobs across a restart of the database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'versaai-queue-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));

    const first = await openLocalDatabase(dir);
    const queue = createLocalQueue({
      db: first.db,
      signingKey: currentSigningKey,
      baseUrl,
      logger: silent,
      deliver: async () => new Response('ok'),
    });
    const { messageId } = await queue.enqueue('ingest', { documentId: 'doc_9' });
    await first.close();

    const second = await openLocalDatabase(dir);
    onTestFinished(() => second.close());
    expect(await job(second.db, messageId)).toMatchObject({
      status: 'pending',
      attempts: 0,
      payload: { documentId: 'doc_9' },
    });

    const { queue: revived, delivered } = testQueue(second.db);
    await revived.drain();
    expect(delivered.map((x) => JSON.parse(x.body))).toEqual([{ documentId: 'doc_9' }]);
  }, 60_000);
});
