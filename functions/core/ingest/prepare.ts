/**
 * The CPU-heavy, database-free half of ingestion: bytes -> text -> chunks, and built-in
 * embeddings. A 2,000-page PDF or a 1M-row CSV takes tens of seconds of pure computation here,
 * so a runtime can run it somewhere else than where requests are served: on Node a worker
 * thread (adapters/local/worker-pool.ts); at the edge every job is its own invocation already,
 * so it runs in process. The pipeline only sees `IngestOffload`.
 */
import type { Embedder } from '../../ports';
import { chunkDocument } from './chunk';
import { extractDocument, type ExtractInput } from './extract';
import { cleanDocumentText } from '../../lib/text';
import type { Chunk, ChunkingSettings, ExtractedDocument } from './types';

export interface PrepareInput extends ExtractInput {
  settings: ChunkingSettings;
}

/** What the pipeline stores on the document row. */
export interface PreparedSummary {
  title?: string;
  pageCount?: number;
  chunkCount: number;
  tokenCount: number;
}

/** Chunks stay where they were made and are read in slices, so no thread receives 40 MB at once. */
export interface PreparedDocument extends PreparedSummary {
  read(from: number, to: number): Promise<Chunk[]>;
  close(): void;
}

export interface IngestOffload {
  prepare(input: PrepareInput): Promise<PreparedDocument>;
  /** Embeds with `embedder`; computed embedders (the built-in one) may run elsewhere. */
  embed(embedder: Embedder, texts: string[]): Promise<number[][]>;
}

/** Extract and chunk: the whole computation, here and now. */
export async function prepareChunks(input: PrepareInput): Promise<{ summary: PreparedSummary; chunks: Chunk[] }> {
  const extracted = cleanExtracted(await extractDocument(input));
  const chunks = chunkDocument(extracted, input.settings);
  const summary: PreparedSummary = {
    title: extracted.title,
    pageCount: extracted.pageCount,
    chunkCount: chunks.length,
    tokenCount: chunks.reduce((sum, c) => sum + c.tokenCount, 0),
  };
  return { summary, chunks };
}

export function preparedFromChunks(summary: PreparedSummary, chunks: Chunk[]): PreparedDocument {
  return { ...summary, read: async (from, to) => chunks.slice(from, to), close: () => {} };
}

/** The edge's offload, and the local runtime's when no worker pool is configured. */
export const inProcessOffload: IngestOffload = {
  async prepare(input) {
    const { summary, chunks } = await prepareChunks(input);
    return preparedFromChunks(summary, chunks);
  },
  embed: (embedder, texts) => embedder.embed(texts),
};

/**
 * Extracted text is cleaned once, here, before chunking: NUL and the other C0 controls (except
 * tab and line breaks) and lone surrogates, which PDFs and binary files leave behind and Postgres
 * refuses (lib/text.ts).
 */
export function cleanExtracted(doc: ExtractedDocument): ExtractedDocument {
  const clean = cleanDocumentText;
  return {
    ...doc,
    ...(doc.title === undefined ? {} : { title: clean(doc.title) }),
    sections: doc.sections
      .map((section) => ({
        ...section,
        text: clean(section.text),
        location: {
          ...section.location,
          ...(section.location.headings ? { headings: section.location.headings.map(clean) } : {}),
          ...(section.location.url ? { url: clean(section.location.url) } : {}),
        },
      }))
      .filter((section) => section.text.trim() !== ''),
  };
}
