/**
 * The ingestion and back-office worker (wrangler.ingest.toml): serves the billing routes (the
 * `stripe` package, forwarded by the request worker) and runs the ingestion jobs (core/jobs/catalog.ts
 * INGEST_JOBS): extraction (PDF, DOCX, XLSX, HTML), chunking and embedding, with the format
 * libraries that takes. It has no public route: QStash delivers to the request worker's
 * `/api/jobs/<name>`, which passes ingestion deliveries here through its INGEST service binding,
 * and this worker checks the QStash signature like any job route. Same edge services, same job
 * route code, only the job table differs.
 *
 * It also receives the email channels' mail from Cloudflare Email Routing (`email` below): the
 * MIME parser that takes lives here, not in the request worker.
 */
import { requestId } from 'hono/request-id';
import { createEdgeServices, createRequestScope, type EdgeEnv } from './adapters/edge/services';
import { ingestJobs } from './core/ingest/jobs';
import { ApiError } from './lib/errors';
import { toErrorResponse } from './lib/error-response';
import { receiveRoutedMail } from './core/channels/email/routing';
import { createRouter } from './lib/openapi';
import { createJobsRouter } from './routes/jobs';
import { BACK_OFFICE_ROUTES } from './back-office';
import { REDACT_PATH } from './adapters/edge/redactor';
import { redact } from './core/privacy/redact';

const app = createRouter();
app.use('*', requestId());
app.use('*', async (c, next) => {
  c.set('services', createEdgeServices(c.env as EdgeEnv, c.executionCtx));
  await next();
});
app.route('/api/jobs', createJobsRouter(ingestJobs));
// Billing (`stripe`) and single sign-on (`oauth4webapi`): the request worker forwards these paths here.
for (const { path, router } of BACK_OFFICE_ROUTES) app.route(path, router);
// Masking for the request worker (adapters/edge/redactor.ts): only its service binding reaches
// this worker, so the route needs no credential of its own.
app.post(REDACT_PATH, async (c) => {
  const body = (await c.req.json().catch(() => null)) as { texts?: unknown } | null;
  const texts = body?.texts;
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw new ApiError('bad_request', 'texts must be an array of strings');
  return c.json({ texts: (texts as string[]).map((text) => redact(text).text) });
});
app.notFound((c) => c.json(new ApiError('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`).body(c.get('requestId')), 404));
app.onError((err, c) => toErrorResponse(err, c));

export default {
  async fetch(request: Request, env: EdgeEnv, ctx: ExecutionContext): Promise<Response> {
    const scope = createRequestScope(ctx);
    const response = await app.fetch(request, env, scope.ctx);
    // Says which worker ran a job (the edge suite checks it; logs and QStash's console show it).
    response.headers.set('X-VersaAI-Worker', 'ingest');
    return scope.finish(response);
  },

  /** Cloudflare Email Routing: mail for an email channel's inbox address (core/channels/email/routing.ts). */
  async email(message: ForwardableEmailMessage, env: EdgeEnv, ctx: ExecutionContext): Promise<void> {
    const scope = createRequestScope(ctx);
    try {
      await receiveRoutedMail(createEdgeServices(env, scope.ctx), message);
    } finally {
      // Closes the request's database pool once background work is done.
      scope.finish(new Response(null));
    }
  },
} satisfies ExportedHandler<EdgeEnv>;
