import { createModels } from '../../core/models/registry';
import { createDurableDiscordGateways } from './discord-gateways';
import { createEmbeddings } from '../../core/embeddings';
import { z } from 'zod';
import { configSchema } from '../../lib/config';
import { outboundPolicy } from '../../lib/network';
import { logError } from '../../lib/log';
import type { Services } from '../../ports';
import { jobQueue } from '../../core/jobs/queue';
import { SERVICES_DONE_HEADER } from '../../core/events/stream';
import { eventSubscribers } from '../../event-subscribers';
import { createR2BlobStore } from './blobs';
import { openNeonDatabase } from './database';
import { createUpstashKv } from './kv';
import { createDurableLiveEvents } from './live-events';
import { createHttpMailer } from './mail';
import { createFetchOutbound } from './outbound';
import { createQStashQueue } from './queue';
import { createPineconeStore } from './vectors';
import { createServiceRedactor } from './redactor';

const required = (name: string) => z.string({ error: `${name} is required` }).min(1, `${name} is required`);
const url = (name: string) => z.url({ error: `${name} must be an http(s) URL` });

/** The shared config plus the settings of the edge's services. Secrets have no defaults. */
export const edgeConfigSchema = configSchema.extend({
  runtime: z.literal('edge'),
  DATABASE_URL: required('DATABASE_URL').regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL'),
  /** `host:port/path` of a local WebSocket-to-TCP proxy in front of a plain Postgres (development only). */
  NEON_WS_PROXY: z.string().optional(),
  UPSTASH_REDIS_REST_URL: url('UPSTASH_REDIS_REST_URL'),
  UPSTASH_REDIS_REST_TOKEN: required('UPSTASH_REDIS_REST_TOKEN'),
  QSTASH_TOKEN: required('QSTASH_TOKEN'),
  QSTASH_URL: url('QSTASH_URL').default('https://qstash.upstash.io'),
  PINECONE_API_KEY: required('PINECONE_API_KEY'),
  PINECONE_INDEX_HOST: required('PINECONE_INDEX_HOST'),
  MAIL_API_URL: url('MAIL_API_URL').default('https://api.resend.com'),
  MAIL_API_KEY: required('MAIL_API_KEY'),
});

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

/** The Worker's bindings: the R2 bucket and static assets, plus vars and secrets (strings). */
export interface EdgeEnv {
  BLOBS: R2Bucket;
  ASSETS?: Fetcher;
  /** The live event streams' Durable Objects (wrangler.toml); without it the SSE routes poll Upstash. */
  EVENT_STREAMS?: DurableObjectNamespace;
  /** Discord Gateway connections, one Durable Object per Discord integration (wrangler.toml). */
  DISCORD_GATEWAYS?: DurableObjectNamespace;
  /** The ingestion worker (wrangler.toml [[services]]); only the request worker has it. */
  INGEST?: Fetcher;
  [name: string]: unknown;
}

/** Parse the Worker's env or throw one error naming every missing or invalid setting. */
export function parseEdgeConfig(env: EdgeEnv): EdgeConfig {
  // An empty `.dev.vars` line means "not set", so defaults apply and required ones are reported.
  const input: Record<string, unknown> = { runtime: 'edge' };
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string' && value !== '') input[key] = value;
  }
  const result = edgeConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid VersaAI edge configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

const REQUEST_SCOPE = Symbol('versaai.requestScope');

/** The part of an ExecutionContext the app uses; what Hono's `c.executionCtx` is typed as. */
export interface EdgeExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  props: any;
  exports?: any;
}

interface ScopeHooks {
  /** Run `fn` once the response has been fully sent (body included). */
  afterResponse(fn: () => Promise<void>): void;
}

type ScopedContext = EdgeExecutionContext & { [REQUEST_SCOPE]?: ScopeHooks };

export interface RequestScope {
  /** Pass this to `app.fetch` (and so to `createEdgeServices` through `c.executionCtx`). */
  ctx: EdgeExecutionContext;
  /**
   * Call with the app's response (or nothing, for a cron run). Returns the response to send; the
   * registered cleanups (closing the Neon pool) run in waitUntil after its body has been streamed.
   */
  finish<R extends Response | undefined>(response: R): R;
}

/**
 * Per-invocation lifetime for the edge services. The Neon pool must close after the response,
 * and a streamed body (SSE) or waitUntil work may still be using it when `app.fetch` returns, so
 * this wraps the body to learn when it has really been sent.
 */
export function createRequestScope(inner: EdgeExecutionContext): RequestScope {
  const cleanups: Array<() => Promise<void>> = [];
  // Explicit delegation, not a prototype chain: workerd's methods need the real ctx as `this`.
  const ctx: ScopedContext = {
    waitUntil: (promise) => inner.waitUntil(promise),
    passThroughOnException: () => inner.passThroughOnException(),
    get props() {
      return inner.props;
    },
    get exports() {
      return inner.exports;
    },
    [REQUEST_SCOPE]: { afterResponse: (fn) => void cleanups.push(fn) },
  };

  const runCleanups = async () => {
    for (const fn of cleanups.splice(0)) {
      await fn().catch((err: unknown) => logError('cleanup failed', err));
    }
  };

  return {
    ctx,
    finish(response) {
      if (!response || !response.body || response.webSocket || response.status === 101) {
        inner.waitUntil(runCleanups());
        return response;
      }
      if (response.headers.has(SERVICES_DONE_HEADER)) {
        // A live event stream: its body needs none of the services, so the pool closes now.
        inner.waitUntil(runCleanups());
        const headers = new Headers(response.headers);
        headers.delete(SERVICES_DONE_HEADER);
        return new Response(response.body, { status: response.status, statusText: response.statusText, headers }) as typeof response;
      }
      const { readable, writable } = new TransformStream();
      inner.waitUntil(response.body.pipeTo(writable).catch(() => undefined).then(runCleanups));
      return new Response(readable, response) as typeof response;
    },
  };
}

/**
 * Everything a handler may use, for one request: Neon (a fresh pool), Upstash Redis, QStash,
 * Pinecone, R2 and the mail API. Nothing is cached between requests.
 */
export function createEdgeServices(env: EdgeEnv, executionCtx: EdgeExecutionContext): Services {
  const scope = (executionCtx as ScopedContext)[REQUEST_SCOPE];
  if (!scope) {
    throw new Error('createEdgeServices needs the ExecutionContext from createRequestScope() so the Neon pool is closed after the response');
  }
  const config = parseEdgeConfig(env);
  const database = openNeonDatabase(config.DATABASE_URL, { wsProxy: config.NEON_WS_PROXY });

  // Work handed to waitUntil may use the database after the response, so the pool closes only
  // when the response is sent and that work has settled.
  const pending = new Set<Promise<unknown>>();
  scope.afterResponse(async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
    await database.close();
  });

  const outbound = createFetchOutbound(outboundPolicy(config));
  return {
    db: database.db,
    kv: createUpstashKv({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN }),
    queue: jobQueue(createQStashQueue({ token: config.QSTASH_TOKEN, baseUrl: config.QSTASH_URL, appUrl: config.APP_URL })),
    vectors: createPineconeStore({ apiKey: config.PINECONE_API_KEY, indexHost: config.PINECONE_INDEX_HOST }),
    blobs: createR2BlobStore(env.BLOBS),
    embeddings: createEmbeddings(config),
    models: createModels(config, outbound),
    mail: createHttpMailer({ apiUrl: config.MAIL_API_URL, apiKey: config.MAIL_API_KEY, from: config.MAIL_FROM }),
    outbound,
    config,
    eventSubscribers,
    live: env.EVENT_STREAMS ? createDurableLiveEvents(env.EVENT_STREAMS) : undefined,
    discordGateways: env.DISCORD_GATEWAYS ? createDurableDiscordGateways(env.DISCORD_GATEWAYS) : undefined,
    redactor: env.INGEST ? createServiceRedactor(env.INGEST) : undefined,
    waitUntil(promise) {
      const tracked = promise.then(
        () => undefined,
        (err: unknown) => {
          logError('background work failed', err);
        },
      );
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
      executionCtx.waitUntil(tracked);
    },
  };
}
