import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The closed list of error codes the API answers with, and the HTTP status of each. */
export const errorStatus = {
  bad_request: 400,
  validation_failed: 422,
  /** A NUL character or a lone UTF-16 surrogate in a string (see lib/text.ts). */
  invalid_text: 422,
  unauthorized: 401,
  invalid_token: 401,
  token_expired: 401,
  invalid_credentials: 401,
  two_factor_required: 401,
  invalid_two_factor_code: 401,
  forbidden: 403,
  /** The email's domain signs in through its organization's single sign-on; `details.organizationId`. */
  sso_required: 403,
  /** A single sign-on attempt was refused; `details.reason` says why (wrong_audience, replayed, …). */
  sso_failed: 400,
  insufficient_role: 403,
  /** An API key without the scope (read, chat, admin) the route needs. */
  insufficient_scope: 403,
  /** The organization's plan does not allow more; `details` names the limit, the usage and the limit. */
  plan_limit_reached: 403,
  not_found: 404,
  // The Host header names a site this server does not serve (DNS rebinding), Node only.
  misdirected_request: 421,
  conflict: 409,
  /** WhatsApp free text more than 24 hours after the customer's last message: only a template may go out. */
  messaging_window_closed: 409,
  /** A flow with errors cannot be published; `details.issues` names the nodes. */
  flow_invalid: 422,
  /** A signed webhook delivery we have already processed (Mailgun does not retry a 406). */
  replayed_request: 406,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  overloaded: 503,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; requestId?: string };
}

/** The one error class: throw it anywhere; `app.onError` turns it into the one body shape. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = options.details;
    this.headers = options.headers;
  }

  body(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
        ...(requestId ? { requestId } : {}),
      },
    };
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);
export const forbidden = (message = 'You do not have access to this resource') => new ApiError('forbidden', message);
