import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from './errors';
import type { AppEnv } from './env';

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

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'Organization not found' }),
      details: z.unknown().optional(),
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
