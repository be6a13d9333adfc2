import { randomUUID } from 'node:crypto';
import { setTimeout as setTimer, clearTimeout as clearTimer } from 'node:timers';
import { sql } from 'drizzle-orm';
import { SignJWT, base64url } from 'jose';
import { describeError, logError } from '../../lib/log';
import type { Database, DatabasePulse, EnqueueOptions, QueueTransport } from '../../ports';
import { inBackground } from './priority';
import { queryRows } from './database';

export interface QueueLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface LocalQueueOptions {
  db: Database;
  /** Where signed requests go; the server passes `app.fetch`, so nothing leaves the process. */
  deliver: (request: Request) => Response | Promise<Response>;
  /** QSTASH_CURRENT_SIGNING_KEY: the job route verifies with the same `Receiver` as on the edge. */
  signingKey: string;
  /** APP_URL; the signature's subject is the full job URL, so it must match what the route sees. */
  baseUrl: string;
  logger?: QueueLogger;
  /** First retry delay; doubles per attempt up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Jobs delivered at once. */
  concurrency?: number;
  /** Safety net: look for due jobs at least this often even without a wake-up. */
  pollIntervalMs?: number;
  /** The database gate's pulse: `ping` needs no statement of its own while statements complete. */
  pulse?: DatabasePulse;
}

export interface LocalQueue extends QueueTransport {
  /** Requeues jobs a crashed process left `running`, then delivers due jobs until `stop()`. */
  start(): Promise<void>;
  /** Stops picking jobs and waits for deliveries in flight. */
  stop(): Promise<void>;
  /** Delivers due jobs (also when not started) until none is due and none is in flight. For tests. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
}

interface ClaimedJob {
  id: string;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const JOB_NAME = /^[A-Za-z0-9][\w-]*(\/[A-Za-z0-9][\w-]*)*$/;

const consoleLogger: QueueLogger = {
  info: (m) => console.info(m),
  warn: (m) => console.warn(m),
  error: (m, e) => (e === undefined ? console.error(m) : logError(m, e)),
};

/**
 * Local stand-in for QStash: jobs persist in `local_jobs` and are POSTed to `/api/jobs/<name>`
 * with the same `Upstash-Signature` QStash sends, so the route's verification is exercised locally.
 */
export function createLocalQueue(options: LocalQueueOptions): LocalQueue {
  const { db, deliver } = options;
  const logger = options.logger ?? consoleLogger;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const key = new TextEncoder().encode(options.signingKey);
  const backoffBaseMs = options.backoffBaseMs ?? 1000;
  const backoffMaxMs = options.backoffMaxMs ?? 60_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pollIntervalMs = options.pollIntervalMs ?? 5000;

  let active = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let timer: ReturnType<typeof setTimer> | undefined;
  const inFlight = new Set<Promise<void>>();

  // Claiming in one UPDATE makes a job run once even when drain() and the runner race.
  const claim = async (): Promise<ClaimedJob | undefined> => {
    const rows = await queryRows<ClaimedJob>(
      db,
      sql`
        UPDATE local_jobs SET status = 'running', attempts = attempts + 1, updated_at = now()
        WHERE id = (
          SELECT id FROM local_jobs WHERE status = 'pending' AND run_at <= now()
          ORDER BY run_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, name, payload, attempts, max_attempts`,
    );
    return rows[0];
  };

  // The claims `Receiver.verify` in @upstash/qstash checks: issuer, subject = full URL, body hash.
  const sign = async (url: string, body: string): Promise<string> => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ body: base64url.encode(digest) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('Upstash')
      .setSubject(url)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 300)
      .setJti(`jwt_${randomUUID()}`)
      .sign(key);
  };

  const attempt = async (job: ClaimedJob): Promise<{ ok: true } | { ok: false; error: string; final: boolean }> => {
    const url = `${baseUrl}/api/jobs/${job.name}`;
    const body = JSON.stringify(job.payload ?? null);
    try {
      const response = await deliver(
        new Request(url, {
          method: 'POST',
          body,
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'Upstash-QStash',
            'Upstash-Signature': await sign(url, body),
            'Upstash-Message-Id': job.id,
            // QStash counts retries, not attempts: 0 on the first delivery.
            'Upstash-Retried': String(job.attempts - 1),
          },
        }),
      );
      const text = await response.text().catch(() => '');
      if (response.ok) return { ok: true };
      // QStash's way for a handler to say "retrying will not help".
      const final = response.status === 489 && response.headers.get('Upstash-NonRetryable-Error') === 'true';
      return { ok: false, error: `HTTP ${response.status}: ${text.slice(0, 500)}`, final };
    } catch (error) {
      // Logged and stored: a query error's message would carry its parameters (lib/log.ts).
      const { name, message, sqlstate } = describeError(error);
      return { ok: false, error: [name, sqlstate, message].filter(Boolean).join(': '), final: false };
    }
  };

  const run = async (job: ClaimedJob): Promise<void> => {
    const result = await attempt(job);
    if (result.ok) {
      await db.execute(sql`UPDATE local_jobs SET status = 'done', last_error = NULL, updated_at = now() WHERE id = ${job.id}`);
      return;
    }
    if (result.final || job.attempts >= job.max_attempts) {
      await db.execute(
        sql`UPDATE local_jobs SET status = 'dead', last_error = ${result.error}, updated_at = now() WHERE id = ${job.id}`,
      );
      logger.error(`[jobs] ${job.name} ${job.id} dead after ${job.attempts} attempt(s): ${result.error}`);
      return;
    }
    const delayMs = Math.min(backoffBaseMs * 2 ** (job.attempts - 1), backoffMaxMs);
    await db.execute(sql`
      UPDATE local_jobs
      SET status = 'pending', last_error = ${result.error}, updated_at = now(),
          run_at = now() + ${delayMs} * interval '1 millisecond'
      WHERE id = ${job.id}`);
    logger.warn(`[jobs] ${job.name} ${job.id} attempt ${job.attempts} failed, retry in ${delayMs}ms: ${result.error}`);
  };

  const track = (job: ClaimedJob): Promise<void> => {
    const promise = run(job)
      .catch((error) => logger.error(`[jobs] ${job.name} ${job.id}: could not record the outcome`, error))
      .finally(() => {
        inFlight.delete(promise);
        if (active) void pump();
      });
    inFlight.add(promise);
    return promise;
  };

  const schedule = async () => {
    clearTimer(timer);
    const [next] = await queryRows<{ wait_ms: number | string | null }>(
      db,
      sql`SELECT (extract(epoch FROM min(run_at) - now()) * 1000)::float8 AS wait_ms
          FROM local_jobs WHERE status = 'pending'`,
    );
    if (!active) return;
    const wait = next?.wait_ms == null ? pollIntervalMs : Math.max(0, Number(next.wait_ms));
    timer = setTimer(() => void pump(), Math.min(wait, pollIntervalMs));
    // A dev server stays up through its HTTP listener; the queue alone must not hold the process.
    timer.unref();
  };

  // One pass at a time; a wake-up during a pass asks for another pass instead of a second loop.
  const pass = async (): Promise<void> => {
    try {
      do {
        pumpAgain = false;
        while (active && inFlight.size < concurrency) {
          const job = await claim();
          if (!job) break;
          void track(job);
          // Starting a job runs its first steps synchronously; let waiting requests in between.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } while (pumpAgain && active);
      if (active) await schedule();
    } catch (error) {
      logger.error('[jobs] runner error', error);
      if (active) {
        clearTimer(timer);
        timer = setTimer(() => void pump(), pollIntervalMs);
        timer.unref();
      }
    }
  };

  const pump = (): Promise<void> => {
    if (!active) return Promise.resolve();
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    // Everything the runner does (claiming, the jobs themselves) yields the database to requests.
    pumping = inBackground(() => pass()).finally(() => {
      pumping = undefined;
    });
    return pumping;
  };

  const settle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  return {
    async enqueue(name: string, payload: unknown, opts: EnqueueOptions = {}) {
      if (!JOB_NAME.test(name)) throw new Error(`invalid job name: ${JSON.stringify(name)}`);
      const id = `msg_${randomUUID().replaceAll('-', '')}`;
      // QStash `retries` counts redeliveries after the first attempt.
      const maxAttempts = opts.retries !== undefined ? Math.max(0, Math.floor(opts.retries)) + 1 : DEFAULT_MAX_ATTEMPTS;
      const delayMs = Math.max(0, (opts.delaySeconds ?? 0) * 1000);
      const inserted = await queryRows<{ id: string }>(
        db,
        sql`
          INSERT INTO local_jobs (id, name, payload, dedup_id, max_attempts, run_at)
          VALUES (${id}, ${name}, ${JSON.stringify(payload ?? null)}::jsonb, ${opts.deduplicationId ?? null},
                  ${maxAttempts}, now() + ${delayMs} * interval '1 millisecond')
          ON CONFLICT (dedup_id) DO NOTHING
          RETURNING id`,
      );
      if (inserted.length === 0) {
        const [existing] = await queryRows<{ id: string }>(
          db,
          sql`SELECT id FROM local_jobs WHERE dedup_id = ${opts.deduplicationId ?? null}`,
        );
        return { messageId: existing.id };
      }
      void pump();
      return { messageId: id };
    },

    async ping() {
      // The table lives in the one local database: a statement that just completed answers for it.
      if (options.pulse?.read().state === 'answering') return;
      await db.execute(sql`SELECT 1 FROM local_jobs LIMIT 1`);
    },

    async start() {
      if (active) return;
      // Only one runner per database exists locally, so anything `running` now was orphaned.
      await db.execute(sql`UPDATE local_jobs SET status = 'pending', updated_at = now() WHERE status = 'running'`);
      active = true;
      await pump();
    },

    async stop() {
      active = false;
      clearTimer(timer);
      timer = undefined;
      // A pass may be between claiming a job and tracking it; let it finish first.
      await pumping;
      await settle();
    },

    async drain({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (let job = await claim(); job; job = await claim()) await track(job);
        await settle();
        const [due] = await queryRows<{ n: number }>(
          db,
          sql`SELECT count(*)::int AS n FROM local_jobs WHERE status = 'pending' AND run_at <= now()`,
        );
        if (due.n === 0 && inFlight.size === 0) return;
        if (Date.now() > deadline) throw new Error(`queue drain timed out after ${timeoutMs}ms`);
      }
    },
  };
}
