/**
 * Cloudflare Workers entry: the same Hono app as Node, with the edge adapters. Static files (the
 * SPA and the widget) are served by the assets binding before the Worker runs; only `/api/*` and
 * `/health` reach this code (see wrangler.toml).
 *
 * This is the request worker: it imports no extractor. Ingestion jobs run in the ingestion worker
 * (functions/ingest-worker.ts, wrangler.ingest.toml), reached through the INGEST service binding.
 */
import { enqueueDailyJobs, enqueueSweep, requestJobs } from './core/jobs/registry';
import { isIngestJob } from './core/jobs/catalog';
import { ApiError } from './lib/errors';
import { isBackOfficePath } from './back-office-paths';

/** wrangler.toml's frequent trigger: the sweep for unanswered questions and stuck documents. */
const SWEEP_CRON = '*/5 * * * *';
import { createEdgeServices, createRequestScope, type EdgeEnv } from './adapters/edge/services';
import { createApp } from './app';
// The live event streams' Durable Object class (wrangler.toml [[durable_objects.bindings]]).
export { EventStreamObject } from './adapters/edge/event-stream-object';
// Discord Gateway connections (wrangler.toml, DISCORD_GATEWAYS).
export { DiscordGatewayObject } from './adapters/edge/discord-gateway-object';

// The app holds routes and middleware only; every request builds its own services.
const app = createApp({ services: (c) => createEdgeServices(c.env as EdgeEnv, c.executionCtx), jobs: requestJobs });

const JOB_PATH = /^\/api\/jobs\/([a-z0-9-]+)$/;

/**
 * QStash delivers every job to `${APP_URL}/api/jobs/<name>` (one public URL, one signature
 * subject); an ingestion job's delivery goes on, untouched, to the ingestion worker, which checks
 * the signature itself. Its answer (2xx, 489, 5xx) goes back to QStash as it is, so retries work
 * as before.
 */
function ingestionDelivery(request: Request, env: EdgeEnv): Promise<Response> | undefined {
  if (request.method !== 'POST') return undefined;
  const name = JOB_PATH.exec(new URL(request.url).pathname)?.[1];
  if (!name || !isIngestJob(name)) return undefined;
  if (!env.INGEST) {
    // A 5xx, so QStash retries once the binding is deployed instead of dropping the job.
    const error = new ApiError('service_unavailable', 'The ingestion worker is not bound (INGEST)');
    return Promise.resolve(Response.json(error.body(), { status: error.status }));
  }
  return env.INGEST.fetch(request);
}

/** Billing and single sign-on load libraries only the back-office worker bundles: their paths go there whole. */
function backOfficeRequest(request: Request, env: EdgeEnv): Promise<Response> | undefined {
  if (!isBackOfficePath(new URL(request.url).pathname)) return undefined;
  if (!env.INGEST) {
    const error = new ApiError('service_unavailable', 'The back-office worker is not bound (INGEST)');
    return Promise.resolve(Response.json(error.body(), { status: error.status }));
  }
  return env.INGEST.fetch(request);
}

export default {
  async fetch(request: Request, env: EdgeEnv, ctx: ExecutionContext): Promise<Response> {
    const forwarded = ingestionDelivery(request, env) ?? backOfficeRequest(request, env);
    if (forwarded) return forwarded;
    const scope = createRequestScope(ctx);
    const response = await app.fetch(request, env, scope.ctx);
    return scope.finish(response);
  },

  /**
   * Daily cron (wrangler.toml `[triggers]`): hands the daily jobs (clean-up, source refresh, analytics roll-up) to the job route
   * through QStash, so it gets retries and the same signed path as every other job. The
   * deduplication id makes a repeated trigger for the same day harmless. (Analytics roll-ups
   * join this trigger with the analytics work.)
   */
  async scheduled(event: ScheduledController, env: EdgeEnv, ctx: ExecutionContext): Promise<void> {
    const scope = createRequestScope(ctx);
    try {
      const { queue } = createEdgeServices(env, scope.ctx);
      if (event.cron === SWEEP_CRON) {
        const { messageId } = await enqueueSweep({ queue }, new Date(event.scheduledTime));
        console.log(JSON.stringify({ level: 'info', message: 'enqueued the sweep', messageId, cron: event.cron }));
        return;
      }
      const day = new Date(event.scheduledTime - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
      const messageIds = await enqueueDailyJobs({ queue }, day);
      console.log(JSON.stringify({ level: 'info', message: 'enqueued daily jobs', day, messageIds, cron: event.cron }));
    } finally {
      scope.finish(undefined);
    }
  },
} satisfies ExportedHandler<EdgeEnv>;
