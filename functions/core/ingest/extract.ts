/**
 * Bytes of a supported type -> sections in reading order. The one entry point the ingestion
 * job calls; each format lives in its own extractor.
 */
import { extractDocx } from './extract-docx';
import { extractXlsx } from './extract-xlsx';
import { extractHtml } from './extract-html';
import { extractPdf } from './extract-pdf';
import { extractCsv, extractMarkdown, extractPlainText } from './extract-text';
import type { ExtractedDocument, SupportedType } from './types';
import { ExtractionError } from './types';

export interface ExtractInput {
  bytes: Uint8Array;
  type: SupportedType;
  /** Page URL for HTML: resolves links and becomes each section's citation URL. */
  sourceUrl?: string;
  fileName?: string;
}

export async function extractDocument(input: ExtractInput): Promise<ExtractedDocument> {
  const document = await extractByType(input);
  if (!document.sections.some((section) => /\S/.test(section.text))) {
    throw new ExtractionError('The document has no text');
  }
  return document;
}

async function extractByType({ bytes, type, sourceUrl }: ExtractInput): Promise<ExtractedDocument> {
  switch (type) {
    case 'pdf':
      return extractPdf(bytes);
    case 'docx':
      return extractDocx(bytes);
    case 'xlsx':
      return extractXlsx(bytes);
    case 'html':
      return extractHtml(decodeText(bytes), sourceUrl);
    case 'md':
      return extractMarkdown(decodeText(bytes));
    case 'csv':
      return extractCsv(decodeText(bytes));
    case 'txt':
      return extractPlainText(decodeText(bytes));
  }
}

/** UTF-8 with the byte-order mark dropped; detection already refused invalid UTF-8 uploads. */
function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
