/**
 * Cloudflare Workers entry: the same Hono app as Node, with the edge adapters. Static files (the
 * SPA and the widget) are served by the assets binding before the Worker runs; only `/api/*` and
 * `/health` reach this code (see wrangler.toml).
 */
import { enqueueDailyJobs, enqueueSweep } from './core/jobs/registry';

/** wrangler.toml's frequent trigger: the sweep for unanswered questions and stuck documents. */
const SWEEP_CRON = '*/5 * * * *';
import { createEdgeServices, createRequestScope, type EdgeEnv } from './adapters/edge/services';
import { createApp } from './app';
// The live event streams' Durable Object class (wrangler.toml [[durable_objects.bindings]]).
export { EventStreamObject } from './adapters/edge/event-stream-object';

// The app holds routes and middleware only; every request builds its own services.
const app = createApp({ services: (c) => createEdgeServices(c.env as EdgeEnv, c.executionCtx) });

export default {
  async fetch(request: Request, env: EdgeEnv, ctx: ExecutionContext): Promise<Response> {
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
