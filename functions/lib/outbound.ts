import type { OutboundFetchInit, OutboundHttp, OutboundRequest, OutboundResponse } from '../ports';
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
  /** Every address DNS gives for a name, or null where the runtime cannot resolve (Workers). */
  resolve(hostname: string): Promise<string[] | null>;
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

/** Stops a body at `maxBytes`: past it the stream errors and the rest is not read. */
function boundBody(response: Response, maxBytes: number, url: string): Response {
  const declared = Number(response.headers.get('content-length') ?? 0);
  const tooLarge = () => new OutboundTooLarge(`${new URL(url).host} answered with more than ${maxBytes} bytes`);
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

export function createOutbound(connector: OutboundConnector, policy: OutboundPolicy): OutboundHttp {
  async function fetchChecked(raw: string, init: OutboundFetchInit = {}): Promise<Response> {
    const { timeoutMs = DEFAULT_OUTBOUND_TIMEOUT_MS, maxRedirects = 0, maxBytes, signal: callerSignal, ...request } = init;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
    let url = raw;
    let hop: RequestInit = { ...request, signal, redirect: 'manual' };
    for (let redirects = 0; ; redirects++) {
      const refusal = urlRefusal(url, policy);
      if (refusal) throw new OutboundRefused(refusal);
      let response: Response;
      try {
        response = await connector.fetch(url, hop);
      } catch (error) {
        const refused = refusalInside(error);
        if (refused) throw refused;
        if (deadline.aborted && !callerSignal?.aborted) throw new OutboundTimeout(`${new URL(url).host} did not answer within ${timeoutMs} ms`);
        throw error;
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

    async send(request: OutboundRequest): Promise<OutboundResponse> {
      const response = await fetchChecked(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        timeoutMs: request.timeoutMs,
      });
      try {
        return { status: response.status, body: await readExcerpt(response, request.maxResponseBytes) };
      } catch (error) {
        // The deadline covers the body too: a receiver that trickles bytes cannot hold a delivery open.
        if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
          throw new OutboundTimeout(`${new URL(request.url).host} did not answer within ${request.timeoutMs} ms`);
        }
        throw error;
      }
    },
  };
}

/** The first `maxBytes` of a body as text; the rest is not read. */
async function readExcerpt(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  if (size >= maxBytes) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, maxBytes));
  let offset = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - offset);
    bytes.set(take, offset);
    offset += take.byteLength;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}
