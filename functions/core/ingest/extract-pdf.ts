/**
 * PDF text extraction with unpdf (PDF.js built for serverless runtimes: no worker thread, no
 * canvas), page by page so every section knows its page for citations.
 */
import { getDocumentProxy } from 'unpdf';
import type { ExtractedDocument, Section } from './types';
import { ExtractionError } from './types';
import { makeLocation, makeSection } from './extract-text';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** The part of a PDF.js text item we read (marked-content markers have no `str`). */
interface PdfTextItem {
  str: string;
  transform: number[];
  height: number;
  hasEOL: boolean;
}

interface PdfLine {
  text: string;
  /** Baseline y in PDF space (grows upwards). */
  y: number;
  height: number;
}

/**
 * A vertical gap this many line heights or more between two lines starts a new paragraph.
 * Body text is set at ~1.2 line heights; a blank line between paragraphs makes ~2.4.
 */
const PARAGRAPH_GAP = 1.75;

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  const pdf = await openPdf(bytes);
  try {
    const sections: Section[] = [];
    for (let page = 1; page <= pdf.numPages; page++) sections.push(...(await pageSections(pdf, page)));
    if (sections.length === 0) {
      throw new ExtractionError('The PDF has no text layer (scanned or image-only); OCR is not supported yet');
    }
    return { title: await pdfTitle(pdf), sections, pageCount: pdf.numPages };
  } catch (error) {
    throw asExtractionError(error);
  } finally {
    await pdf.loadingTask.destroy();
  }
}

async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  try {
    // PDF.js transfers (detaches) the buffer it is given: hand it a copy so the caller's bytes
    // stay usable (for hashing, storing, retrying).
    return await getDocumentProxy(bytes.slice(), {
      verbosity: 0, // errors only: font warnings on every odd PDF would flood the logs
    });
  } catch (error) {
    throw asExtractionError(error);
  }
}

function asExtractionError(error: unknown): Error {
  if (error instanceof ExtractionError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') return new ExtractionError('The PDF is password-protected; remove the password and upload it again');
  if (name === 'InvalidPDFException' || name === 'MissingPDFException' || name === 'FormatError') {
    return new ExtractionError('The file is not a readable PDF (it may be corrupt or truncated)');
  }
  return new ExtractionError(`The PDF could not be read: ${message}`);
}

async function pdfTitle(pdf: PdfDocument): Promise<string | undefined> {
  try {
    const { info } = await pdf.getMetadata();
    const title = (info as { Title?: unknown } | undefined)?.Title;
    return typeof title === 'string' && title.trim() !== '' ? title.trim() : undefined;
  } catch {
    return undefined; // a broken info dictionary must not fail a document whose text is fine
  }
}

async function pageSections(pdf: PdfDocument, pageNumber: number): Promise<Section[]> {
  const page = await pdf.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    const items = content.items.filter((item): item is typeof item & PdfTextItem => 'str' in item);
    return paragraphsOf(linesOf(items)).map((text) => makeSection('paragraph', text, makeLocation({ page: pageNumber })));
  } finally {
    page.cleanup(); // frees the page's fonts and operator lists: a 500-page PDF stays small
  }
}

/** Joins text items into lines: PDF.js marks the item that ends a line with hasEOL. */
function linesOf(items: PdfTextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let parts: string[] = [];
  let first: PdfTextItem | undefined;
  const endLine = () => {
    const text = parts.join('').replace(/\s+/g, ' ').trim();
    if (first && text !== '') lines.push({ text, y: first.transform[5], height: first.height || Math.abs(first.transform[3]) || 12 });
    parts = [];
    first = undefined;
  };
  for (const item of items) {
    if (!first && item.str.trim() !== '') first = item;
    parts.push(item.str);
    if (item.hasEOL) endLine();
  }
  endLine();
  return lines;
}

/** Groups lines into paragraphs at large vertical gaps, undoing end-of-line hyphenation. */
function paragraphsOf(lines: PdfLine[]): string[] {
  const paragraphs: string[] = [];
  let current = '';
  let previous: PdfLine | undefined;
  for (const line of lines) {
    if (previous && startsNewParagraph(previous, line)) {
      paragraphs.push(current);
      current = '';
    }
    current = current === '' ? line.text : joinLines(current, line.text);
    previous = line;
  }
  if (current !== '') paragraphs.push(current);
  return paragraphs;
}

function startsNewParagraph(previous: PdfLine, line: PdfLine): boolean {
  const gap = previous.y - line.y;
  // Moving up or sideways (a new column, a footer drawn first) also breaks the paragraph.
  return gap <= 0 || gap > PARAGRAPH_GAP * Math.max(previous.height, line.height);
}

function joinLines(paragraph: string, line: string): string {
  if (/[a-záéíóúñü]-$/i.test(paragraph) && /^[a-záéíóúñü]/.test(line)) return paragraph.slice(0, -1) + line;
  return `${paragraph} ${line}`;
}
