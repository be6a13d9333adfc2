import { OutboundRefused, OutboundTimeout, OutboundTooLarge, urlNotAllowed } from '../../lib/network';
import type { OutboundHttp } from '../../ports';

/**
 * Fetching URLs on behalf of users (imports, crawls, robots.txt and sitemaps) through the outbound
 * port: the URL, every address its host resolves to (on Node) and every redirect hop are checked,
 * so a user cannot point the server at itself, the private network or cloud metadata (SSRF).
 */
export interface SafeFetchOptions {
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

/** The save-time check: the URL, then (where the runtime can resolve) every address of its host. 422 when refused. */
export async function assertFetchableUrl(outbound: Pick<OutboundHttp, 'check'>, raw: string): Promise<void> {
  const refusal = await outbound.check(raw);
  if (refusal) throw urlNotAllowed(refusal);
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

async function readAll(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** The page's final URL after redirects (the port follows them, checking each hop). */
function finalUrl(response: Response, requested: string) {
  return response.url || requested;
}

export async function safeFetch(outbound: Pick<OutboundHttp, 'fetch'>, raw: string, options: SafeFetchOptions): Promise<FetchedResource> {
  let response: Response;
  try {
    response = await outbound.fetch(raw, {
      headers: {
        'user-agent': options.userAgent ?? 'VersaAIBot/1.0',
        accept: options.accept ?? 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5',
      },
      timeoutMs: options.timeoutMs ?? 15_000,
      maxRedirects: MAX_REDIRECTS,
      maxBytes: options.maxBytes,
    });
  } catch (error) {
    throw fetchFailure(error, raw);
  }
  const url = finalUrl(response, raw);
  if (!response.ok) {
    await response.body?.cancel();
    throw new FetchFailure(`${url} answered HTTP ${response.status}`, response.status < 500 && response.status !== 429);
  }
  try {
    return {
      url,
      status: response.status,
      contentType: (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase(),
      bytes: await readAll(response),
    };
  } catch (error) {
    throw fetchFailure(error, raw);
  }
}

function fetchFailure(error: unknown, raw: string): FetchFailure {
  if (error instanceof OutboundRefused) return new FetchFailure(error.message, true);
  if (error instanceof OutboundTooLarge) return new FetchFailure(`The page is larger than allowed: ${error.message}`, true);
  if (error instanceof OutboundTimeout) return new FetchFailure(error.message, false);
  const host = URL.canParse(raw) ? new URL(raw).host : raw;
  return new FetchFailure(`Could not reach ${host}: ${(error as Error).message}`, false);
}
