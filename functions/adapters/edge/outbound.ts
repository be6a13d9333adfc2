import { OutboundRefused, OutboundTimeout, isIpLiteral, stripBrackets } from '../../lib/network';
import type { OutboundHttp, OutboundResponse } from '../../ports';

/**
 * Outbound HTTP on Workers: `fetch` without following redirects. Workers have no DNS API, and
 * their fetches leave from Cloudflare's network, where the private addresses of our own
 * infrastructure do not exist; IP literals are still checked here, and host names by the
 * caller's policy (localhost, internal suffixes) before this runs.
 */
export function createFetchOutbound(): OutboundHttp {
  return {
    async resolve() {
      return null;
    },

    async send(request): Promise<OutboundResponse> {
      const host = stripBrackets(new URL(request.url).hostname);
      if (isIpLiteral(host) && !request.allowAddress(host)) throw new OutboundRefused(`${host} is not an allowed address`);
      const deadline = AbortSignal.timeout(request.timeoutMs);
      try {
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          redirect: 'manual',
          signal: deadline,
        });
        return { status: response.status, body: await readExcerpt(response, request.maxResponseBytes) };
      } catch (error) {
        if (deadline.aborted) throw new OutboundTimeout(`No complete answer within ${request.timeoutMs} ms`);
        throw error;
      }
    },
  };
}

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
