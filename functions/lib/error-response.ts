import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { capacityFailure } from './capacity';
import { ApiError, errorStatus, type ErrorCode } from './errors';
import type { AppEnv } from './env';
import { logError } from './log';

/** The one error shape for anything a handler throws (the app's and the ingestion worker's onError). */
export function toErrorResponse(err: Error, c: Context<AppEnv>) {
  const id = c.get('requestId');
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
    return c.json(err.body(id), err.status);
  }
  if (err instanceof HTTPException) {
    const code = (Object.entries(errorStatus).find(([, status]) => status === err.status)?.[0] ?? 'bad_request') as ErrorCode;
    const mapped = new ApiError(code, err.message || 'Bad request');
    return c.json(mapped.body(id), err.status >= 400 && err.status < 500 ? err.status : mapped.status);
  }
  if (err instanceof SyntaxError) {
    return c.json(new ApiError('bad_request', 'The request body is not valid JSON').body(id), 400);
  }
  const busy = capacityFailure(err);
  if (busy) {
    logError('request refused: database busy', err, { requestId: id, method: c.req.method, route: routePath(c, -1) });
    return toErrorResponse(busy, c);
  }
  // Never the error's message as such: a failed query's carries its parameters (lib/log.ts).
  logError('request failed', err, { requestId: id, method: c.req.method, route: routePath(c, -1) });
  return c.json(new ApiError('internal_error', 'Something went wrong on our side; it has been logged').body(id), 500);
}
