import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { createRouter, jsonContent } from '../lib/openapi';
import type { Services } from '../ports';

export const healthRouter = createRouter();

const CHECK_TIMEOUT_MS = 3000;

const CheckSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
});

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    runtime: z.enum(['edge', 'local']),
    checks: z.object({ sql: CheckSchema, kv: CheckSchema, queue: CheckSchema, vectors: CheckSchema }),
  })
  .openapi('Health');

async function timed(check: () => Promise<unknown>) {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    // A finished check must not leave a timer pending for seconds after the response.
    clearTimeout(timer);
  }
}

export async function checkServices(services: Services) {
  const [sqlCheck, kv, queue, vectors] = await Promise.all([
    timed(() => services.db.execute(sql`select 1`)),
    timed(() => services.kv.ping()),
    timed(() => services.queue.ping()),
    timed(() => services.vectors.ping()),
  ]);
  return { sql: sqlCheck, kv, queue, vectors };
}

healthRouter.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    tags: ['Health'],
    summary: 'Status of SQL, KV, queue and vectors with latency',
    responses: {
      200: jsonContent(HealthSchema, 'Everything answers'),
      503: jsonContent(HealthSchema, 'At least one dependency is down'),
    },
  }),
  async (c) => {
    const services = c.get('services');
    const checks = await checkServices(services);
    const healthy = Object.values(checks).every((check) => check.ok);
    c.header('Cache-Control', 'no-store');
    return c.json(
      { status: healthy ? ('ok' as const) : ('degraded' as const), runtime: services.config.runtime, checks },
      healthy ? 200 : 503,
    );
  },
);
