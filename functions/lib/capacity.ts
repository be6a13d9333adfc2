import { ApiError } from './errors';
import { describeError } from './log';

/**
 * Database failures that mean "busy, come back shortly" rather than "broken": too many
 * connections and other exhausted resources (class 53), a connection that failed or dropped
 * (class 08), a server starting or shutting down (57P01–57P03), and the conflicts a retry resolves
 * (serialization failure, deadlock). At the edge the first is what overload looks like: every
 * request opens its own connection, and past the database's limit Postgres refuses with 53300.
 */
const RETRYABLE_SQLSTATE = /^(53...|08...|57P0[123]|40001|40P01)$/;
const RETRY_AFTER_SECONDS = 2;

/** The `overloaded` answer (503 + Retry-After) for a retryable database failure, else null. */
export function capacityFailure(error: unknown): ApiError | null {
  const sqlstate = describeError(error).sqlstate;
  if (!sqlstate || !RETRYABLE_SQLSTATE.test(sqlstate)) return null;
  return new ApiError('overloaded', 'The service is busy right now; try again in a moment', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
  });
}
