import type { OutboundFetchInit, OutboundHttp, OutboundRequest, OutboundResponse, OutboundText, OutboundTextInit } from '../ports';
import { OutboundRefused, OutboundTimeout, OutboundTooLarge, addressRefusal, parseIp, stripBrackets, urlRefusal, type OutboundPolicy } from './network';

/**
 * The one outbound port every tenant-aimed request goes through, built from a runtime's
 * connector. Here: the URL checks (scheme, credentials, IP literals in every form, internal
 * names), redirects followed by hand and each hop checked again, one deadline, a size bound.
 * The connector (per runtime) checks what DNS returns at connect time and connects to the
 * address it checked.
 */
export interface OutboundConnector {
  /**
   * One exchange with a URL whose text already passed the policy; never follows redirects. On
   * Node it refuses (throws `OutboundRefused`, possibly as a `cause`) when any resolved address is
   * refused, and connects to one it checked.
   */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /**
   * One exchange read whole as text, within `exchange.maxBytes`, redirects returned as they are;
   * the same refusals as `fetch`. Optional: without it the port reads `fetch`'s Response.
   */
  fetchText?(url: string, exchange: TextExchange): Promise<OutboundText>;
  /** Every address DNS gives for a name, or null where the runtime cannot resolve (Workers). */
  resolve(hostname: string): Promise<string[] | null>;
}

/** What the port asks of a connector's `fetchText`: URL checked, deadline in `signal`. */
export interface TextExchange {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  maxBytes: number;
  /** Past `maxBytes`: `cut` keeps the first `maxBytes` (an excerpt), `refuse` throws `OutboundTooLarge`. */
  overflow: 'cut' | 'refuse';
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_OUTBOUND_TIMEOUT_MS = 30_000;

/** The refusal a connector raised, wherever fetch wrapped it (`TypeError: fetch failed` → cause). */
function refusalInside(error: unknown): OutboundRefused | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    if (current instanceof OutboundRefused) return current;
  }
  return null;
}

export function tooLargeError(url: string, maxBytes: number): OutboundTooLarge {
  return new OutboundTooLarge(`${new URL(url).host} answered with more than ${maxBytes} bytes`);
}

/** Stops a body at `maxBytes`: past it the stream errors and the rest is not read. */
function boundBody(response: Response, maxBytes: number, url: string): Response {
  const declared = Number(response.headers.get('content-length') ?? 0);
  const tooLarge = () => tooLargeError(url, maxBytes);
  if (declared > maxBytes) {
    void response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return response;
  // A declared length bounds what HTTP delivers (the connection's framing stops there), so such a
  // body needs no counting stream (a TransformStream and a Response per call, on every flow API
  // call); a decoded one (gzip, br) can grow past it, and a chunked one is framed by its chunks.
  const length = response.headers.get('content-length');
  const framed = length !== null && /^\d+$/.test(length) && !response.headers.has('content-encoding') && !response.headers.has('transfer-encoding');
  if (framed) return response;
  let seen = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  const bounded = new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  // A constructed Response has no URL; callers read the final hop's from it.
  Object.defineProperty(bounded, 'url', { value: response.url || url });
  return bounded;
}

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * What the next hop carries: 303, and 301/302 after a POST, become a GET without a body (as
 * browsers do); credentials never follow a redirect to another origin.
 */
function nextHop(status: number, init: RequestInit, from: string, to: string): RequestInit {
  const method = (init.method ?? 'GET').toUpperCase();
  const next = status === 303 || ((status === 301 || status === 302) && method === 'POST') ? { ...init, method: 'GET', body: undefined } : init;
  if (new URL(from).origin === new URL(to).origin) return next;
  const headers = new Headers(next.headers);
  for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  return { ...next, headers };
}

/** One deadline for an exchange, joined with the caller's signal when there is one. */
function deadlineFor(timeoutMs: number, callerSignal: AbortSignal | undefined) {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
  return { signal, explain: explainer(deadline, callerSignal, timeoutMs) };
}

/** What a connector threw, as the port reports it: its refusal, a timeout of ours, or as it is. */
function explainer(deadline: AbortSignal, callerSignal: AbortSignal | undefined, timeoutMs: number) {
  return (error: unknown, url: string): unknown => {
    const refused = refusalInside(error);
    if (refused) return refused;
    if (deadline.aborted && !callerSignal?.aborted) return new OutboundTimeout(`${new URL(url).host} did not answer within ${timeoutMs} ms`);
    return error;
  };
}

/**
 * A deadline for an exchange that ends before the caller sees its answer: a plain timer and one
 * listener on the caller's signal, both released at the end (`AbortSignal.timeout` and
 * `AbortSignal.any` cost more per call and leave the timer pending until it fires).
 */
function releasableDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined) {
  const controller = new AbortController();
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    deadline.abort(reason);
    controller.abort(reason);
  }, timeoutMs);
  const follow = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) follow();
  else callerSignal?.addEventListener('abort', follow, { once: true });
  const release = () => {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', follow);
  };
  return { signal: controller.signal, explain: explainer(deadline.signal, callerSignal, timeoutMs), release };
}

/**
 * The bytes of a body up to `maxBytes`, as text. Past `maxBytes` it stops reading (leaving the
 * loop cancels the stream) and cuts or throws.
 */
async function collectText(chunks: AsyncIterable<Uint8Array>, maxBytes: number, overflow: TextExchange['overflow'], tooLarge: () => Error): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.byteLength;
    if (overflow === 'refuse' && size > maxBytes) throw tooLarge();
    // An excerpt needs no more once it has its bytes (a receiver may trickle the rest).
    if (overflow === 'cut' && size >= maxBytes) break;
  }
  return textOf(parts, Math.min(size, maxBytes));
}

/** The first `length` bytes of `parts` as text (UTF-8 without a BOM, as `Response.text()` decodes). */
export function textOf(parts: Uint8Array[], length: number): string {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - offset);
    bytes.set(take, offset);
    offset += take.byteLength;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Left early (cut, too large): the rest is not read.
    await reader.cancel().catch(() => {});
  }
}

/** `fetchText` over a connector's `fetch` (Workers, and connectors without a `fetchText` of their own). */
async function textOverFetch(connector: OutboundConnector, url: string, exchange: TextExchange): Promise<OutboundText> {
  const { method, headers, body, signal, maxBytes, overflow } = exchange;
  const response = await connector.fetch(url, { method, headers, body, signal, redirect: 'manual' });
  const tooLarge = () => tooLargeError(url, maxBytes);
  if (overflow === 'refuse' && Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    void response.body?.cancel();
    throw tooLarge();
  }
  const record: Record<string, string> = {};
  response.headers.forEach((value, name) => (record[name] = value));
  const text = response.body ? await collectText(chunksOf(response.body), maxBytes, overflow, tooLarge) : '';
  return { status: response.status, headers: record, body: text };
}

export function createOutbound(connector: OutboundConnector, policy: OutboundPolicy): OutboundHttp {
  async function fetchChecked(raw: string, init: OutboundFetchInit = {}): Promise<Response> {
    const { timeoutMs = DEFAULT_OUTBOUND_TIMEOUT_MS, maxRedirects = 0, maxBytes, signal: callerSignal, ...request } = init;
    const { signal, explain } = deadlineFor(timeoutMs, callerSignal);
    let url = raw;
    let hop: RequestInit = { ...request, signal, redirect: 'manual' };
    for (let redirects = 0; ; redirects++) {
      const refusal = urlRefusal(url, policy);
      if (refusal) throw new OutboundRefused(refusal);
      let response: Response;
      try {
        response = await connector.fetch(url, hop);
      } catch (error) {
        throw explain(error, url);
      }
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || !location || maxRedirects === 0) {
        return maxBytes === undefined ? response : boundBody(response, maxBytes, url);
      }
      await response.body?.cancel();
      if (redirects >= maxRedirects) throw new OutboundRefused(`Too many redirects (more than ${maxRedirects}) from ${raw}`);
      const next = new URL(location, url).toString();
      hop = nextHop(response.status, hop, url, next);
      url = next;
    }
  }

  /** One exchange read whole, redirects returned as they are; the deadline covers the body too. */
  async function textChecked(url: string, init: OutboundTextInit, overflow: TextExchange['overflow']): Promise<OutboundText> {
    const refusal = urlRefusal(url, policy);
    if (refusal) throw new OutboundRefused(refusal);
    const { signal, explain, release } = releasableDeadline(init.timeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS, init.signal);
    const exchange: TextExchange = { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body, signal, maxBytes: init.maxBytes, overflow };
    try {
      return await (connector.fetchText ? connector.fetchText(url, exchange) : textOverFetch(connector, url, exchange));
    } catch (error) {
      throw explain(error, url);
    } finally {
      release();
    }
  }

  return {
    policy,

    async resolve(hostname) {
      return connector.resolve(stripBrackets(hostname));
    },

    async check(raw) {
      const refusal = urlRefusal(raw, policy);
      if (refusal) return refusal;
      const host = stripBrackets(new URL(raw).hostname);
      // Literals were judged with the URL; names are judged by every address DNS gives.
      if (parseIp(host)) return null;
      let addresses: string[] | null;
      try {
        addresses = await connector.resolve(host);
      } catch {
        // A name that does not resolve is not a policy matter; the request itself will say so.
        return null;
      }
      for (const address of addresses ?? []) {
        const refused = addressRefusal(address, policy, host);
        if (refused) return refused;
      }
      return null;
    },

    fetch: fetchChecked,

    fetchText: (url, init) => textChecked(url, init, 'refuse'),

    async send(request: OutboundRequest): Promise<OutboundResponse> {
      const { status, body } = await textChecked(
        request.url,
        { method: request.method, headers: request.headers, body: request.body, timeoutMs: request.timeoutMs, maxBytes: request.maxResponseBytes },
        'cut',
      );
      return { status, body };
    },
  };
}
