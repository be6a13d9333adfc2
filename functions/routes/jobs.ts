import { Receiver } from '@upstash/qstash';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../lib/env';
import { jobCatalog } from '../core/jobs/catalog';
import { giveUpFor, handlerFor, isJobName, type JobTable } from '../core/jobs/registry';
import { ApiError } from '../lib/errors';
import { createRouter } from '../lib/openapi';
import { storableReason } from '../lib/text';
import type { Services } from '../ports';

type GiveUp = (services: Services, payload: never, reason: string) => Promise<void>;

/**
 * The last attempt failed: the job's row gets the reason (the queue gives up after this one).
 * Best effort: if even that fails, the sweep (`sweep-stuck-work`) still ends the row later.
 */
async function recordGiveUp(services: Services, name: string, giveUp: GiveUp, payload: unknown, retried: number, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  try {
    await (giveUp as (s: Services, p: unknown, r: string) => Promise<void>)(services, payload, storableReason(`Gave up after ${retried + 1} attempts: ${message}`));
  } catch (recordError) {
    console.error(JSON.stringify({ level: 'error', job: name, message: 'could not record the failure', error: String(recordError) }));
  }
}

/**
 * Job deliveries from QStash (edge) or the local runner (Node). Both sign the same way, and the
 * signature is verified in every mode: an unsigned request never runs a job. `table` is the jobs
 * this deployment runs (at the edge the request worker and the ingestion worker each have theirs).
 */
export function createJobsRouter(table: JobTable) {
  const jobsRouter = createRouter();
  jobsRouter.post('/:name', (c) => runDelivery(c, c.req.param('name'), table));
  return jobsRouter;
}

async function runDelivery(c: Context<AppEnv>, name: string, table: JobTable) {
  const { config } = c.get('services');
  const signature = c.req.header('upstash-signature');
  if (!signature) throw new ApiError('unauthorized', 'Missing Upstash-Signature header');
  const body = await c.req.text();
  const receiver = new Receiver({
    currentSigningKey: config.QSTASH_CURRENT_SIGNING_KEY,
    nextSigningKey: config.QSTASH_NEXT_SIGNING_KEY,
  });
  try {
    await receiver.verify({ signature, body, url: `${config.APP_URL}/api/jobs/${name}` });
  } catch {
    throw new ApiError('unauthorized', 'The job signature is not valid');
  }
  if (!isJobName(name)) throw new ApiError('not_found', `Unknown job "${name}"`);
  const handler = handlerFor(table, name);
  // A known job this deployment does not run: misrouted (the edge forwards ingestion jobs).
  if (!handler) throw new ApiError('not_found', `The job "${name}" does not run here`);
  let payload: unknown;
  try {
    payload = JSON.parse(body || '{}');
  } catch {
    return refusePayload(c, name, 'The job body is not valid JSON');
  }
  const parsed = jobCatalog[name].payload.safeParse(payload);
  if (!parsed.success) return refusePayload(c, name, 'The job payload does not match its schema', parsed.error.issues);
  const retried = Number(c.req.header('upstash-retried') ?? 0) || 0;
  const services = c.get('services');
  try {
    const result = await handler(services, parsed.data, { retried });
    return c.json({ ok: true, result: result ?? null }, 200);
  } catch (error) {
    const giveUp = giveUpFor(table, name);
    if (giveUp && retried >= jobCatalog[name].retries) await recordGiveUp(services, name, giveUp, parsed.data, retried, error);
    throw error;
  }
}

/**
 * A malformed payload will never succeed, so it must not be retried. QStash retries every
 * non-2xx answer except 489 with `Upstash-NonRetryable-Error: true` (the local runner follows the
 * same rule), so that is the status: a 4xx in the usual error shape, and the job goes to the dead
 * letters at once instead of being retried.
 */
export const NON_RETRYABLE_STATUS = 489;

function refusePayload(c: Context<AppEnv>, job: string, message: string, issues?: unknown) {
  console.error(JSON.stringify({ level: 'error', job, message, issues }));
  const error = new ApiError('bad_request', message, issues === undefined ? {} : { details: issues });
  return c.body(JSON.stringify(error.body(c.get('requestId'))), NON_RETRYABLE_STATUS as ContentfulStatusCode, {
    'Content-Type': 'application/json',
    'Upstash-NonRetryable-Error': 'true',
  });
}
