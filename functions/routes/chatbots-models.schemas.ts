import { z } from '@hono/zod-openapi';
import { BUILTIN_TASKS, MODEL_PROVIDERS } from '../../db/schema';
import { BotParamsSchema } from './chatbots.schemas';

const TaskSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'Lower-case letters, digits, - and _ (up to 64)')
  .openapi({ example: 'complex', description: `One of ${BUILTIN_TASKS.map((t) => `\`${t}\``).join(', ')}, or a task a flow\u2019s AI step names` });

const PriceSchema = z.number().min(0).max(10_000).nullable().openapi({ description: 'USD per million tokens; analytics uses it instead of its list price' });

export const BotModelParamsSchema = BotParamsSchema.extend({ model_entry_id: z.uuid().openapi({ param: { name: 'model_entry_id', in: 'path' } }) });

export const BotModelSchema = z
  .object({
    id: z.uuid(),
    provider: z.string(),
    model_id: z.string(),
    model: z.string().openapi({ example: 'openai:gpt-4o', description: 'The id the rest of the API uses (`<provider>:<model_id>`)' }),
    task_type: z.string(),
    cost_input_per_1m: z.number().nullable(),
    cost_output_per_1m: z.number().nullable(),
    enabled: z.boolean(),
    available: z.boolean().openapi({ description: 'False while neither the organization nor the deployment has a key for its provider' }),
    created_at: z.string(),
  })
  .openapi('BotModel');

export const BotModelInputSchema = z
  .object({
    provider: z.enum(['builtin', ...MODEL_PROVIDERS]).openapi({ example: 'openai' }),
    model_id: z.string().trim().min(1).max(100).openapi({ example: 'gpt-4o' }),
    task_type: TaskSchema.default('general'),
    cost_input_per_1m: PriceSchema.optional(),
    cost_output_per_1m: PriceSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .openapi('BotModelInput');

export const BotModelChangeSchema = z
  .object({ task_type: TaskSchema, cost_input_per_1m: PriceSchema, cost_output_per_1m: PriceSchema, enabled: z.boolean() })
  .partial()
  .openapi('BotModelChange');

export const RoutingRuleSchema = z
  .object({
    minLength: z.number().int().min(0).max(100_000).optional(),
    maxLength: z.number().int().min(0).max(100_000).optional(),
    language: z.enum(['es', 'en']).optional(),
    channels: z.array(z.string().max(32)).max(10).optional(),
    words: z.array(z.string().trim().min(1).max(100)).max(100).optional().openapi({ description: 'Any of these words or phrases (case and accent insensitive)' }),
    task: TaskSchema,
  })
  .openapi('RoutingRule', { description: 'Every condition given must hold; the first matching rule names the task' });

export const RoutingSchema = z
  .object({
    mode: z.enum(['rules', 'classifier']).openapi({
      description: '`rules`: the first matching rule; `classifier`: the toolbox\u2019s `classifier` model labels each message simple (task `fast`) or complex (task `complex`), and the rules (then a keyword classifier) decide when it fails or is absent',
    }),
    rules: z.array(RoutingRuleSchema).max(20),
  })
  .openapi('ModelRouting');

export const BotModelListSchema = z.object({ data: z.array(BotModelSchema), routing: RoutingSchema });
