/**
 * The one HTTP client of the dashboard. The access token lives in memory only; the refresh
 * token is an httpOnly cookie, so a 401 for an expired/invalid token triggers exactly one
 * refresh and one retry.
 */
import { getCurrentOrgId } from './org';

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  readonly requestId?: string;
  readonly retryAfter?: number;

  constructor(init: { status: number; code: string; message: string; details?: unknown; requestId?: string; retryAfter?: number }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }

  /** Validation details normalised to `{ path: 'a.b', message }`. */
  get fieldErrors(): FieldError[] {
    if ((this.code !== 'validation_failed' && this.code !== 'invalid_text') || !Array.isArray(this.details)) return [];
    return this.details.map((d: { path?: unknown; message?: unknown }) => ({
      path: Array.isArray(d.path) ? d.path.join('.') : String(d.path ?? ''),
      message: String(d.message ?? ''),
    }));
  }
}

/** The server's message for one field of a failed validation, if the error is one. */
export function fieldErrorOf(error: unknown, path: string): string | undefined {
  return error instanceof ApiError ? error.fieldErrors.find((f) => f.path === path)?.message : undefined;
}

/** True when the error is a validation failure that the form shows next to its fields. */
export function hasFieldErrors(error: unknown): boolean {
  return error instanceof ApiError && error.fieldErrors.length > 0;
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let unauthenticatedHandler: (() => void) | null = null;

export const getAccessToken = () => accessToken;
export const setAccessToken = (token: string | null) => {
  accessToken = token;
};

/** Called when a refresh fails in the middle of a session (the router sends the user to sign-in). */
export function onUnauthenticated(handler: () => void) {
  unauthenticatedHandler = handler;
}

/** Single-flight: concurrent 401s share one refresh request (the refresh token rotates). */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) {
        accessToken = null;
        return false;
      }
      const body = (await res.json()) as { accessToken: string };
      accessToken = body.accessToken;
      return true;
    } catch {
      accessToken = null;
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Organization for org-scoped endpoints; defaults to the current one. `null` sends none. */
  orgId?: string | null;
  signal?: AbortSignal;
}

async function toError(res: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; details?: unknown; requestId?: string } } = {};
  try {
    body = await res.json();
  } catch {
    // Not JSON (proxy error page, network hiccup): fall back to the status below.
  }
  const retry = Number(res.headers.get('Retry-After'));
  return new ApiError({
    status: res.status,
    code: body.error?.code ?? (res.status >= 500 ? 'internal_error' : 'http_' + res.status),
    message: body.error?.message ?? res.statusText ?? 'Request failed',
    details: body.error?.details,
    requestId: body.error?.requestId,
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined,
  });
}

export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const send = () => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    const orgId = options.orgId === undefined ? getCurrentOrgId() : options.orgId;
    if (orgId) headers['X-Organization-Id'] = orgId;
    return fetch(path, {
      method: options.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  };

  let res = await send();
  if (res.status === 401 && !path.startsWith('/api/v1/auth/login') && !path.startsWith('/api/v1/auth/refresh')) {
    const err = await toError(res.clone());
    if (['token_expired', 'invalid_token', 'unauthorized'].includes(err.code)) {
      if (await refreshAccessToken()) {
        res = await send();
      } else {
        unauthenticatedHandler?.();
        throw err;
      }
    }
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204 || res.headers.get('Content-Length') === '0') return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface UploadOptions {
  /** Form field name of the file (one file per request). */
  field?: string;
  orgId?: string | null;
  signal?: AbortSignal;
  /** Fraction sent, 0..1; called as the browser reports upload progress. */
  onProgress?: (fraction: number) => void;
}

/**
 * Multipart upload of one file. XMLHttpRequest rather than fetch because only it reports upload
 * progress; headers, errors and the single refresh-and-retry on 401 match `api()`.
 */
export async function uploadFile<T = unknown>(path: string, file: File, options: UploadOptions = {}): Promise<T> {
  const send = () =>
    new Promise<{ status: number; response: Response }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      xhr.withCredentials = true;
      xhr.setRequestHeader('Accept', 'application/json');
      if (accessToken) xhr.setRequestHeader('Authorization', `Bearer ${accessToken}`);
      const orgId = options.orgId === undefined ? getCurrentOrgId() : options.orgId;
      if (orgId) xhr.setRequestHeader('X-Organization-Id', orgId);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) options.onProgress?.(e.loaded / e.total);
      };
      xhr.onload = () => {
        const headers = new Headers();
        for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
          const i = line.indexOf(':');
          if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
        }
        // A Response gives the same error parsing as fetch-based calls; 204/304 may not carry a body.
        const body = [101, 204, 205, 304].includes(xhr.status) ? null : xhr.responseText;
        resolve({ status: xhr.status, response: new Response(body, { status: xhr.status, statusText: xhr.statusText, headers }) });
      };
      // Network failure: the same TypeError fetch would throw, so error messages read alike.
      xhr.onerror = () => reject(new TypeError('Network request failed'));
      xhr.onabort = () => reject(new DOMException('Upload aborted', 'AbortError'));
      if (options.signal) {
        if (options.signal.aborted) return xhr.abort();
        options.signal.addEventListener('abort', () => xhr.abort(), { once: true });
      }
      const form = new FormData();
      form.append(options.field ?? 'file', file, file.name);
      xhr.send(form);
    });

  let { response: res } = await send();
  if (res.status === 401) {
    const err = await toError(res.clone());
    if (['token_expired', 'invalid_token', 'unauthorized'].includes(err.code)) {
      if (await refreshAccessToken()) {
        options.onProgress?.(0);
        ({ response: res } = await send());
      } else {
        unauthenticatedHandler?.();
        throw err;
      }
    }
  }
  if (!res.ok) throw await toError(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * POST that answers `text/event-stream`, read with fetch + ReadableStream (EventSource cannot
 * send a body or headers). Yields each event with its JSON data; errors before the stream
 * starts throw `ApiError` like `api()`, including the one refresh-and-retry on 401.
 */
export async function* streamEvents(path: string, options: RequestOptions = {}): AsyncGenerator<SseEvent> {
  const send = () => {
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'Content-Type': 'application/json' };
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    const orgId = options.orgId === undefined ? getCurrentOrgId() : options.orgId;
    if (orgId) headers['X-Organization-Id'] = orgId;
    return fetch(path, {
      method: options.method ?? 'POST',
      headers,
      credentials: 'same-origin',
      body: JSON.stringify(options.body ?? {}),
      signal: options.signal,
    });
  };
  let res = await send();
  if (res.status === 401) {
    const err = await toError(res.clone());
    if (['token_expired', 'invalid_token', 'unauthorized'].includes(err.code) && (await refreshAccessToken())) res = await send();
    else {
      if (['token_expired', 'invalid_token', 'unauthorized'].includes(err.code)) unauthenticatedHandler?.();
      throw err;
    }
  }
  if (!res.ok) throw await toError(res);
  if (!res.body) return;

  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      // Events end with a blank line; servers may use \r\n.
      let end: RegExpExecArray | null;
      while ((end = /\r?\n\r?\n/.exec(buffer))) {
        const block = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end[0].length);
        const parsed = parseSseBlock(block);
        if (parsed) yield parsed;
      }
    }
    const last = parseSseBlock(buffer);
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}

function parseSseBlock(block: string): SseEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  const raw = data.join('\n');
  try {
    return { event, data: JSON.parse(raw) };
  } catch {
    return { event, data: raw };
  }
}
