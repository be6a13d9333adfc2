import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createLocalDiscordGateways } from './adapters/local/discord-gateways';
import { reopenDiscordGateways } from './core/channels/integrations';
import { inProcessRedactor } from './adapters/local/redactor';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createApp, type App } from './app';
import {
  createFileBlobStore,
  createLocalQueue,
  createMemoryKV,
  createNodeOutbound,
  createOutboxMailer,
  createIngestWorkerPool,
  createPgVectorStore,
  openLocalDatabase,
  type LocalDatabase,
  type LocalQueue,
} from './adapters/local';
import type { ResolveAll } from './adapters/local/outbound';
import { outboundPolicy } from './lib/network';
import { lockDataDir } from './adapters/local/data-dir-lock';
import { createAdmission } from './core/chat/admission';
import { createModels } from './core/models/registry';
import { recoverUnansweredMessages } from './core/chat/recovery';
import { enqueueSweep, SWEEP_INTERVAL_MINUTES } from './core/jobs/registry';
import { flushApiKeyUsage } from './core/orgs/api-key-usage';
import { allJobs } from './core/jobs/all';
import { BACK_OFFICE_ROUTES } from './back-office';
import { createEmbeddings } from './core/embeddings';
import { parseConfig, type Config } from './lib/config';
import { logError } from './lib/log';
import type { Services } from './ports';
import { jobQueue } from './core/jobs/queue';
import { eventSubscribers } from './event-subscribers';
import { createInProcessLiveEvents } from './adapters/local/live-events';

/**
 * The local runtime: the same app as the edge, composed with embedded defaults (PGlite with
 * pgvector, in-process KV, a persisted job runner, files, a dev outbox). Used by `npm run dev`,
 * `npm start` and the integration tests.
 */
export interface LocalRuntimeOptions {
  /** Where PGlite, blobs and generated secrets live; null keeps everything in memory (tests). */
  dataDir: string | null;
  env?: Record<string, string | undefined>;
  port?: number;
  /** Start the job runner (tests usually call `queue.drain()` themselves instead). */
  runJobs?: boolean;
  /** Job retry back-off base; tests shorten it. */
  jobBackoffMs?: number;
  /** A DNS of the test's own for the outbound port (how a rebinding attacker's name server answers). */
  resolve?: ResolveAll;
}

export interface LocalRuntime {
  app: App;
  services: Services;
  queue: LocalQueue;
  database: LocalDatabase;
  config: Config;
  /**
   * Resolves once work handed to `waitUntil` has finished and the jobs it queued have run, over
   * and over until nothing is left (tests: an event's webhooks are queued after the response).
   */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * About how many statements one chat turn runs (bench:load: 3,344 statements for 335 answers). A
 * turn meant to finish within CHAT_TARGET_TURN_MS can afford each statement a wait of that share;
 * a request statement waiting longer means the loop is backed up and admission takes fewer turns.
 */
const STATEMENTS_PER_TURN = 10;
const GENERATED_SECRETS = ['JWT_SECRET', 'ENCRYPTION_KEY', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY'] as const;

/**
 * Zero configuration: secrets not given in the environment are generated once and kept in the
 * data dir, so sessions and encrypted values survive restarts.
 */
function localSecrets(dataDir: string | null, env: Record<string, string | undefined>) {
  const file = dataDir ? join(dataDir, 'secrets.json') : null;
  const stored: Record<string, string> = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const name of GENERATED_SECRETS) {
    if (!env[name] && !stored[name]) {
      stored[name] = randomBytes(32).toString('base64url');
      changed = true;
    }
  }
  if (file && changed) writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return Object.fromEntries(GENERATED_SECRETS.map((name) => [name, env[name] ?? stored[name]]));
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const env = options.env ?? {};
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const port = options.port ?? 8787;
  // Before anything reads the directory: a second runtime must not even open the database.
  const lock = options.dataDir ? lockDataDir(options.dataDir, { port }) : undefined;
  try {
    return await composeRuntime(options, env, port, () => lock?.release());
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function composeRuntime(
  options: LocalRuntimeOptions,
  env: Record<string, string | undefined>,
  port: number,
  releaseLock: () => void,
): Promise<LocalRuntime> {
  const config = parseConfig({
    // In-process streams cost nothing to poll; the edge default (1 s) saves Upstash requests.
    EVENTS_POLL_MS: '200',
    EVENTS_STREAM_SECONDS: '300',
    ...env,
    ...localSecrets(options.dataDir, env),
    runtime: 'local',
    APP_URL: env.APP_URL ?? `http://localhost:${port}`,
  });

  const database = await openLocalDatabase(options.dataDir);
  const { db } = database;
  const outbox = createOutboxMailer(db);
  const blobs = createFileBlobStore(join(options.dataDir ?? join(tmpdir(), `versaai-${randomBytes(6).toString('hex')}`), 'blobs'));
  const kv = createMemoryKV();
  const live = createInProcessLiveEvents(kv);
  const vectors = createPgVectorStore(db, { pulse: database.gate.pulse, waitUntil: (work) => services.waitUntil(work) });
  const pending = new Set<Promise<unknown>>();
  // Requests before background work: ingestion computes on worker threads (see worker-pool.ts).
  const ingestPool =
    config.INGEST_WORKERS === 0 ? undefined : createIngestWorkerPool({ size: config.INGEST_WORKERS, maxMemoryMb: config.INGEST_WORKER_MAX_MEMORY_MB });

  // The app is created below; the queue delivers to it in-process, as QStash would over HTTP.
  let app: App | undefined;
  const queue = createLocalQueue({
    db,
    pulse: database.gate.pulse,
    deliver: async (request) => app!.fetch(request),
    signingKey: config.QSTASH_CURRENT_SIGNING_KEY,
    baseUrl: config.APP_URL,
    backoffBaseMs: options.jobBackoffMs,
  });

  const outbound = createNodeOutbound({ policy: outboundPolicy(config), resolve: options.resolve });
  const discordGateways = createLocalDiscordGateways(() => services);
  const services: Services = {
    db,
    kv,
    queue: jobQueue(queue),
    vectors,
    blobs,
    mail: outbox,
    outbound,
    embeddings: createEmbeddings(config),
    models: createModels(config, outbound),
    outbox: env.NODE_ENV === 'production' ? undefined : outbox,
    config,
    eventSubscribers,
    live,
    ingestOffload: ingestPool,
    databasePulse: database.gate.pulse,
    discordGateways,
    redactor: inProcessRedactor,
    admission: createAdmission({
      maxConcurrent: config.CHAT_MAX_CONCURRENT,
      maxQueue: config.CHAT_MAX_QUEUE,
      maxWaitMs: config.CHAT_MAX_WAIT_MS,
      targetTurnMs: config.CHAT_TARGET_TURN_MS,
      congested: () => database.gate.requestWaitMs() > config.CHAT_TARGET_TURN_MS / STATEMENTS_PER_TURN,
    }),
    waitUntil(promise) {
      const tracked = promise.catch((error) => logError('background work failed', error)).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
  app = createApp({ services: () => services, jobs: allJobs, backOffice: BACK_OFFICE_ROUTES });
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  if (options.runJobs) {
    await queue.start();
    // One process owns a data dir, so every question still unanswered now was left by the last
    // process, however recent: answered (or marked) at once rather than at the next sweep.
    await recoverUnansweredMessages(services, { olderThanSeconds: 0 });
    sweepTimer = setInterval(() => void enqueueSweep(services).catch((e) => console.error('[sweep]', e)), SWEEP_INTERVAL_MINUTES * 60_000);
    sweepTimer.unref();
    // Connected Discord bots get their Gateway connection back with the process.
    await reopenDiscordGateways(services).catch((error) => logError('discord gateways not reopened', error));
  }

  return {
    app,
    services,
    queue,
    database,
    config,
    async idle() {
      for (;;) {
        while (pending.size > 0) await Promise.allSettled([...pending]);
        await queue.drain();
        if (pending.size === 0) return;
      }
    },
    async close() {
      clearInterval(sweepTimer);
      discordGateways.closeAll();
      live.close();
      await queue.stop();
      await Promise.allSettled([...pending]);
      // API key uses wait in KV for the sweep; this process's KV goes with it.
      await flushApiKeyUsage(services, { everything: true }).catch((error) => logError('api key usage not flushed', error));
      await ingestPool?.close();
      await database.close();
      releaseLock();
    },
  };
}
