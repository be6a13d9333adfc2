import { ApiError } from '../../lib/errors';
import { classifyHost, isIpLiteral, stripBrackets } from '../../lib/network';

/**
 * Fetching URLs on behalf of users, without letting them point the server at itself or at the
 * private network (SSRF). Every redirect hop is checked again. On Workers private ranges are
 * unreachable anyway; on Node this check is what stands between a user and localhost.
 */
export interface SafeFetchOptions {
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs?: number;
  userAgent?: string;
  accept?: string;
}

export interface FetchedResource {
  url: string;
  status: number;
  contentType: string;
  bytes: Uint8Array;
}

const MAX_REDIRECTS = 5;

/** Why a URL may not be fetched, or null when it may. */
export function urlRefusal(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Only http and https URLs can be imported';
  if (url.username || url.password) return 'URLs with credentials cannot be imported';
  if (allowPrivate || classifyHost(url.hostname) === 'public') return null;
  return isIpLiteral(stripBrackets(url.hostname))
    ? 'Private, loopback and link-local addresses cannot be imported'
    : 'Local and internal addresses cannot be imported';
}

export function assertFetchableUrl(raw: string, allowPrivate: boolean): void {
  const refusal = urlRefusal(raw, allowPrivate);
  if (refusal) {
    throw new ApiError('validation_failed', refusal, { details: [{ path: 'url', message: refusal, code: 'invalid_url' }] });
  }
}

export class FetchFailure extends Error {
  constructor(
    message: string,
    /** 4xx pages and refusals will not get better with a retry. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'FetchFailure';
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new FetchFailure(`The page is larger than ${maxBytes} bytes`, true);
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FetchFailure(`The page is larger than ${maxBytes} bytes`, true);
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

export async function safeFetch(raw: string, options: SafeFetchOptions): Promise<FetchedResource> {
  let url = raw;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const refusal = urlRefusal(url, options.allowPrivate);
    if (refusal) throw new FetchFailure(refusal, true);
    let response: Response;
    try {
      response = await fetch(url, {
        redirect: 'manual',
        headers: {
          'user-agent': options.userAgent ?? 'VersaAIBot/1.0',
          accept: options.accept ?? 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5',
        },
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new FetchFailure(`Could not reach ${new URL(url).host}: ${(error as Error).message}`, false);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      url = new URL(response.headers.get('location')!, url).toString();
      await response.body?.cancel();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FetchFailure(`${url} answered HTTP ${response.status}`, response.status < 500 && response.status !== 429);
    }
    return {
      url,
      status: response.status,
      contentType: (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase(),
      bytes: await readLimited(response, options.maxBytes),
    };
  }
  throw new FetchFailure(`Too many redirects from ${raw}`, true);
}
