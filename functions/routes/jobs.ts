import { Receiver } from '@upstash/qstash';
import { isJobName, jobs, type JobMeta } from '../core/jobs/registry';
import { ApiError } from '../lib/errors';
import { createRouter } from '../lib/openapi';
import { storableReason } from '../lib/text';
import type { Services } from '../ports';

type GiveUp = { retries: number; run(services: Services, payload: unknown, reason: string): Promise<void> };

/**
 * The last attempt failed: the job's row gets the reason (the queue gives up after this one).
 * Best effort: if even that fails, the sweep (`sweep-stuck-work`) still ends the row later.
 */
async function recordGiveUp(services: Services, name: string, giveUp: GiveUp, payload: unknown, retried: number, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  try {
    await giveUp.run(services, payload, storableReason(`Gave up after ${retried + 1} attempts: ${message}`));
  } catch (recordError) {
    console.error(JSON.stringify({ level: 'error', job: name, message: 'could not record the failure', error: String(recordError) }));
  }
}

/**
 * Job deliveries from QStash (edge) or the local runner (Node). Both sign the same way, and the
 * signature is verified in every mode: an unsigned request never runs a job.
 */
export const jobsRouter = createRouter();

jobsRouter.post('/:name', async (c) => {
  const name = c.req.param('name');
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
  const job = jobs[name];
  let payload: unknown;
  try {
    payload = JSON.parse(body || '{}');
  } catch {
    throw new ApiError('bad_request', 'The job body is not valid JSON');
  }
  const parsed = job.payload.safeParse(payload);
  // A malformed payload will never succeed: answer 4xx… but QStash retries anything non-2xx, so
  // acknowledge with 200 and report it rather than retry a poison message forever.
  if (!parsed.success) {
    console.error(JSON.stringify({ level: 'error', job: name, message: 'invalid payload', issues: parsed.error.issues }));
    return c.json({ ok: false, error: 'invalid payload' }, 200);
  }
  const retried = Number(c.req.header('upstash-retried') ?? 0) || 0;
  const services = c.get('services');
  const run = job.run as (s: typeof services, p: unknown, meta: JobMeta) => Promise<unknown>;
  try {
    const result = await run(services, parsed.data, { retried });
    return c.json({ ok: true, result: result ?? null }, 200);
  } catch (error) {
    const giveUp = 'giveUp' in job ? (job.giveUp as GiveUp | undefined) : undefined;
    if (giveUp && retried >= giveUp.retries) await recordGiveUp(services, name, giveUp, parsed.data, retried, error);
    throw error;
  }
});
