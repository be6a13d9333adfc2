import { createRoute } from '@hono/zod-openapi';
import { createRouter, jsonContent } from '../lib/openapi';
import { checkServices } from '../core/health';
import { HealthSchema } from './health.schemas';

/** /health: whether every dependency answers (for uptime checks and load balancers). */
export const healthRouter = createRouter();

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
