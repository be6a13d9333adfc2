import type { Redactor } from '../../ports';

/** The ingestion worker's path for masking (functions/ingest-worker.ts); it has no public URL. */
export const REDACT_PATH = '/internal/redact';

/**
 * Masks through the ingestion worker, where the redactor and its phone-number metadata are
 * bundled, so the request worker stays small. A service binding call stays in the same data
 * centre (usually the same thread): one cheap hop, paid only by organizations with redaction on.
 */
export function createServiceRedactor(ingest: Fetcher): Redactor {
  return {
    async redact(texts) {
      if (texts.length === 0) return [];
      const res = await ingest.fetch(`https://ingest.internal${REDACT_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ texts }),
      });
      if (!res.ok) throw new Error(`redaction failed in the ingestion worker: HTTP ${res.status}`);
      const { texts: masked } = (await res.json()) as { texts: string[] };
      if (!Array.isArray(masked) || masked.length !== texts.length) throw new Error('redaction answered the wrong number of texts');
      return masked;
    },
  };
}
