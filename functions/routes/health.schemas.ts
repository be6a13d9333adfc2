import { z } from '@hono/zod-openapi';

const CheckSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
  /**
   * `recent-statement`: on the local runtime's single connection, a statement completed moments
   * ago, so no probe was queued behind the work (latency 0). Absent: a probe was run.
   */
  observed: z.enum(['recent-statement']).optional(),
});

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    runtime: z.enum(['edge', 'local']),
    checks: z.object({ sql: CheckSchema, kv: CheckSchema, queue: CheckSchema, vectors: CheckSchema }),
  })
  .openapi('Health');
