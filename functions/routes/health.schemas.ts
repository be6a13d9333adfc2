import { z } from '@hono/zod-openapi';

const CheckSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
});

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    runtime: z.enum(['edge', 'local']),
    checks: z.object({ sql: CheckSchema, kv: CheckSchema, queue: CheckSchema, vectors: CheckSchema }),
  })
  .openapi('Health');
