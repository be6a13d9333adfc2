/**
 * The shapes passed between the ingestion steps: extract (bytes -> sections) and chunk
 * (sections -> chunks). Pure data, no I/O, so every step is testable and runs on both runtimes.
 */

export type SupportedType = 'txt' | 'md' | 'html' | 'pdf' | 'docx' | 'xlsx' | 'csv';

/** Where a piece of text came from, kept on every chunk so answers can cite the exact spot. */
export interface SourceLocation {
  /** 1-based page number (PDF). */
  page?: number;
  /** Heading path from the top of the document, e.g. ["Pricing", "Refunds"]. */
  headings?: string[];
  /** Source URL, with `#anchor` of the nearest heading id when the page has one. */
  url?: string;
}

export type SectionKind = 'heading' | 'paragraph' | 'list-item' | 'table-row' | 'code' | 'qa';

/** One structural unit of a document, in reading order. */
export interface Section {
  kind: SectionKind;
  text: string;
  location: SourceLocation;
}

export interface ExtractedDocument {
  title?: string;
  sections: Section[];
  pageCount?: number;
  /** Same-document links found in HTML (absolute URLs), for the website crawler. */
  links?: string[];
}

export interface ChunkingSettings {
  strategy: 'fixed' | 'structure' | 'qa';
  /** Target size in tokens. */
  chunkSize: number;
  /** Tokens repeated between neighbouring chunks (fixed strategy). */
  chunkOverlap: number;
}

export interface Chunk {
  position: number;
  content: string;
  tokenCount: number;
  location: SourceLocation;
}

/**
 * A problem with the document itself (corrupt, empty, image-only, too large once unpacked):
 * retrying will not help, so the document is marked failed with this readable message.
 */
export class ExtractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractionError';
  }
}
