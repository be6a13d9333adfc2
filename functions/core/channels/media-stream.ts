import type { Services } from '../../ports';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import type { AttachmentKind } from './attachments';
import { checkMediaType, megabytes, SNIFF_BYTES } from './media-types';

/**
 * One file from a platform into blob storage, streamed: the answer's declared length is checked
 * against the limit before a byte is read, the first bytes are checked against the kind, and the
 * bytes are counted on their way to storage, which is abandoned the moment the count passes the
 * limit. At no point is the whole file in memory. Always through the outbound port (its SSRF
 * checks apply to every hop; a Messenger attachment URL arrives in a webhook).
 */
export const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

export type StreamOutcome =
  | { status: 'stored'; size: number; mimeType: string }
  | { status: 'too_large'; reason: string; bytesRead: number }
  | { status: 'failed'; reason: string; transient: boolean; bytesRead: number };

export interface DownloadRequest {
  url: string;
  headers?: Record<string, string>;
  kind: AttachmentKind;
  /** What the webhook or the platform's metadata call said the type is. */
  declaredMimeType: string | null;
  limit: number;
  blobKey: string;
}

class TooLarge extends Error {
  constructor(readonly bytesRead: number) {
    super('too large');
  }
}

const tooLargeReason = (limit: number, size?: number) =>
  `The file is larger than the ${megabytes(limit)} this channel allows${size ? ` (${megabytes(size)})` : ''}; it was not downloaded.`;

/** Reads until `SNIFF_BYTES` are in hand (or the body ends): the chunks read so far, in order. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>) {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < SNIFF_BYTES) {
    const next = await reader.read();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  const head = new Uint8Array(Math.min(length, SNIFF_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= head.length) break;
    const take = chunk.subarray(0, head.length - offset);
    head.set(take, offset);
    offset += take.byteLength;
  }
  return { chunks, head, length, done };
}

/** The head chunks again, then the rest of the body, counted; errors with TooLarge past `limit`. */
function countedRest(chunks: Uint8Array[], reader: ReadableStreamDefaultReader<Uint8Array>, done: boolean, limit: number, counter: { bytes: number }) {
  const pending = [...chunks];
  let finished = done;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = pending.shift();
      if (!chunk) {
        if (finished) return controller.close();
        const next = await reader.read();
        if (next.done) {
          finished = true;
          return controller.close();
        }
        chunk = next.value;
        counter.bytes += chunk.byteLength;
      }
      if (counter.bytes > limit) {
        await reader.cancel().catch(() => {});
        return controller.error(new TooLarge(counter.bytes));
      }
      controller.enqueue(chunk);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function transientStatus(status: number) {
  return status === 408 || status === 429 || status >= 500;
}

export async function streamToBlob(services: Pick<Services, 'outbound' | 'blobs'>, request: DownloadRequest): Promise<StreamOutcome> {
  let response: Response;
  try {
    response = await services.outbound.fetch(request.url, { headers: request.headers, timeoutMs: DOWNLOAD_TIMEOUT_MS, maxRedirects: 3 });
  } catch (error) {
    if (error instanceof OutboundRefused) return { status: 'failed', reason: `The file's address was refused: ${error.message}`, transient: false, bytesRead: 0 };
    const reason = error instanceof OutboundTimeout ? error.message : `Could not reach the file: ${error instanceof Error ? error.message : String(error)}`;
    return { status: 'failed', reason, transient: true, bytesRead: 0 };
  }
  if (response.status < 200 || response.status >= 300) {
    await response.body?.cancel().catch(() => {});
    return { status: 'failed', reason: `The platform answered HTTP ${response.status} for the file.`, transient: transientStatus(response.status), bytesRead: 0 };
  }
  const declaredLength = response.headers.get('content-length');
  const size = declaredLength !== null && /^\d+$/.test(declaredLength) ? Number(declaredLength) : undefined;
  if (size !== undefined && size > request.limit) {
    await response.body?.cancel().catch(() => {});
    return { status: 'too_large', reason: tooLargeReason(request.limit, size), bytesRead: 0 };
  }
  if (!response.body) return { status: 'failed', reason: 'The platform answered without a file.', transient: true, bytesRead: 0 };

  const reader = response.body.getReader();
  const counter = { bytes: 0 };
  try {
    const { chunks, head, length, done } = await readHead(reader);
    counter.bytes = length;
    if (length > request.limit) {
      await reader.cancel().catch(() => {});
      return { status: 'too_large', reason: tooLargeReason(request.limit), bytesRead: length };
    }
    const type = checkMediaType(request.kind, response.headers.get('content-type'), request.declaredMimeType, head);
    if (!type.ok) {
      await reader.cancel().catch(() => {});
      return { status: 'failed', reason: type.reason, transient: false, bytesRead: length };
    }
    const stored = await services.blobs.putStream(request.blobKey, countedRest(chunks, reader, done, request.limit, counter), { contentType: type.mimeType, size });
    return { status: 'stored', size: stored.size, mimeType: type.mimeType };
  } catch (error) {
    const cause = findTooLarge(error);
    if (cause) return { status: 'too_large', reason: tooLargeReason(request.limit), bytesRead: cause.bytesRead };
    await reader.cancel().catch(() => {});
    return { status: 'failed', reason: `The download broke off: ${error instanceof Error ? error.message : String(error)}`, transient: true, bytesRead: counter.bytes };
  }
}

function findTooLarge(error: unknown): TooLarge | null {
  for (let current = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof TooLarge) return current;
  }
  return null;
}
