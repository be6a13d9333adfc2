import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError, errorStatus, type ErrorCode } from './errors';
import type { AppEnv } from './env';
import { flowIssue } from '../core/flows/schema';

/** A router whose validation failures become the one error shape (422 with the zod issues). */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError('validation_failed', 'The request is not valid', {
          details: result.error.issues.map((issue) => ({
            path: issue.path.join('.'),
            message: issue.message,
            code: issue.code,
          })),
        });
      }
    },
  });
}

/**
 * Names a schema built with plain `zod` (shared with the dashboard, e.g. core/flows/schema.ts) as
 * an OpenAPI component. Such a schema gets `.openapi` only if it was created after
 * @hono/zod-openapi extended zod, which depends on import order (scripts may load it first);
 * without it the schema is simply documented inline.
 */
export function named<T extends z.ZodType>(schema: T, name: string): T {
  const withOpenApi = schema as T & { openapi?: (name: string) => T };
  return typeof withOpenApi.openapi === 'function' ? withOpenApi.openapi(name) : schema;
}

/** One rejected field: where it is in the request, what is wrong, and a machine-readable reason. */
const FieldIssueSchema = z
  .object({
    path: z.string().openapi({ example: 'name' }),
    message: z.string().openapi({ example: 'Required' }),
    code: z.string().openapi({ example: 'invalid_type', description: 'The zod issue code or a reason of our own (invalid_text, url_not_allowed…)' }),
  })
  .openapi('FieldIssue');

/** The extra facts some errors carry; every key the API sends is listed, so clients can rely on them. */
const ErrorFactsSchema = z
  .object({
    required: z.string().optional().openapi({ description: 'insufficient_role: the least role the action needs' }),
    current: z.string().optional().openapi({ description: 'insufficient_role: the caller\u2019s role' }),
    retryAfterSeconds: z.number().optional().openapi({ description: 'rate_limited / overloaded: when to retry' }),
    available: z.array(z.string()).optional().openapi({ description: 'Embedding models that can be chosen instead' }),
    organizationId: z.string().optional().openapi({ description: 'The organization that blocks the action' }),
    existingDocumentId: z.string().optional().openapi({ description: 'conflict: the document with the same content' }),
    existingDocumentName: z.string().optional(),
    lastCustomerMessageAt: z.string().nullable().optional().openapi({ description: 'messaging_window_closed: the customer\u2019s last message' }),
    closesAt: z.string().nullable().optional().openapi({ description: 'messaging_window_closed: when the 24-hour window closed' }),
    issues: z.array(named(flowIssue, 'FlowIssue')).optional().openapi({ description: 'flow_invalid: what blocks publishing, each naming its node' }),
    draftRevision: z.number().int().optional().openapi({ description: 'conflict (flow draft): the revision saved meanwhile' }),
    limitName: z.string().optional().openapi({ description: 'plan_limit_reached: which limit (bots, members, messagesPerMonth, storageBytes, channels, flows)' }),
    usage: z.number().optional().openapi({ description: 'plan_limit_reached: what the organization uses now' }),
    limit: z.number().optional().openapi({ description: 'plan_limit_reached: what its plan allows' }),
    plan: z.string().optional().openapi({ description: 'plan_limit_reached: the organization\u2019s plan' }),
  })
  .openapi('ErrorFacts');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z
        .enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]])
        .openapi({ example: 'not_found', description: 'Stable, machine-readable error code' }),
      message: z.string().openapi({ example: 'Organization not found' }),
      details: z.union([z.array(FieldIssueSchema), ErrorFactsSchema]).optional(),
      requestId: z.string().optional().openapi({ example: 'b7c1e0d2-…' }),
    }),
  })
  .openapi('Error');

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** Error responses spread into every route's `responses`, so each is documented once. */
export const publicErrors = {
  400: errorResponse('Malformed request'),
  422: errorResponse('Validation failed'),
  429: errorResponse('Too many requests'),
  // lib/capacity.ts: any route that reaches the database may find it busy (too many connections).
  503: errorResponse('Busy (`overloaded`, with Retry-After): the database refused for capacity; send the request again'),
} as const;

export const protectedErrors = {
  ...publicErrors,
  401: errorResponse('Missing, invalid or expired credentials'),
  403: errorResponse('Authenticated but not allowed'),
  404: errorResponse('Not found (also returned for other organizations\u2019 resources)'),
} as const;

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/**
 * Any JSON value. Only for maps whose keys and values are the customer's own (a contact's
 * attributes, free metadata): every field the API itself defines gets a precise schema instead.
 */
export const JsonValueSchema = z.json().openapi('JsonValue');

/** A JSON object of free keys (see JsonValueSchema for when it is the right schema). */
export const JsonObjectSchema = z.record(z.string(), JsonValueSchema).openapi('JsonObject');

export const bearerSecurity = [{ bearerAuth: [] }];

/** Header carrying the organization an org-scoped request acts on. */
export const OrgHeaderSchema = z.object({
  'x-organization-id': z
    .uuid()
    .optional()
    .openapi({ description: 'Organization to act on; defaults to the caller\u2019s only organization' }),
});

export const CursorQuerySchema = z.object({
  cursor: z.string().optional().openapi({ description: 'Opaque cursor from the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
});
