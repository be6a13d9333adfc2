/**
 * DOCX text extraction: inflate only the parts we read (never the images), stop zip bombs at a
 * real byte cap, and read WordprocessingML's paragraphs, headings, lists and tables.
 */
import { Unzip, UnzipInflate } from 'fflate';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { ExtractedDocument, Section, SectionKind } from './types';
import { ExtractionError } from './types';
import { HeadingTrail, collapseWhitespace, makeLocation, makeSection, tableRowText } from './extract-text';

type XmlDocument = ReturnType<typeof parseDocument>;
type XmlNode = XmlDocument['children'][number];
type XmlElement = Extract<XmlNode, { attribs: Record<string, string> }>;

const DOCUMENT_PART = 'word/document.xml';
const STYLES_PART = 'word/styles.xml';

/**
 * Most bytes of XML we agree to inflate from one document (all parts we read together). Real
 * document.xml files stay under a few MB even for 500-page books; more is a zip bomb (a few MB
 * that inflate to gigabytes), which would take the process down if inflated.
 */
export const MAX_DOCX_XML_BYTES = 50 * 1024 * 1024;
/** A Word file has a few dozen entries; thousands are a bomb of another kind. */
export const MAX_DOCX_ENTRIES = 10_000;
/**
 * Compressed bytes handed to the inflater at once. Deflate expands at most ~1032:1, so one push
 * produces at most ~16 MB before the byte count is checked again.
 */
const INFLATE_SLICE_BYTES = 16 * 1024;

export interface DocxLimits {
  maxXmlBytes?: number;
  maxEntries?: number;
}

export function extractDocx(bytes: Uint8Array, limits: DocxLimits = {}): ExtractedDocument {
  const parts = unzipParts(bytes, limits);
  const documentXml = parts[DOCUMENT_PART];
  if (!documentXml) throw new ExtractionError('The file is not a Word document (word/document.xml is missing)');
  const headingStyles = headingLevelsByStyle(parts[STYLES_PART]);
  const body = parseXml(documentXml);
  return new DocxSectionWriter(headingStyles).write(body);
}

export function tooLargeMessage(maxBytes: number): string {
  return `The file expands to more than ${Math.round(maxBytes / 1024 / 1024)} MB of text`;
}

/**
 * Inflates the parts we read with a streaming inflater fed in small slices, counting the bytes it
 * really produces: the sizes a zip declares are the attacker's word, so they only serve to refuse
 * early, never to bound the work.
 */
function unzipParts(bytes: Uint8Array, limits: DocxLimits): Record<string, Uint8Array> {
  const maxBytes = limits.maxXmlBytes ?? MAX_DOCX_XML_BYTES;
  const maxEntries = limits.maxEntries ?? MAX_DOCX_ENTRIES;
  // The stream reader walks local headers only; a cut-off file has lost its directory at the end.
  if (!hasEndOfCentralDirectory(bytes)) throw new ExtractionError('The Word document is corrupt (its zip structure cannot be read)');
  const pieces: Record<string, Uint8Array[]> = {};
  const finished = new Set<string>();
  let produced = 0;
  let entries = 0;
  let failure: ExtractionError | undefined;
  const fail = (error: ExtractionError) => {
    failure ??= error;
  };

  const unzip = new Unzip((file) => {
    entries++;
    if (entries > maxEntries) return fail(new ExtractionError(`The Word document has more than ${maxEntries} parts`));
    if (file.name !== DOCUMENT_PART && file.name !== STYLES_PART) return;
    if ((file.originalSize ?? 0) > maxBytes) return fail(new ExtractionError(tooLargeMessage(maxBytes)));
    const chunks: Uint8Array[] = (pieces[file.name] = []);
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) return fail(new ExtractionError('The Word document is corrupt (a part cannot be inflated)'));
      produced += chunk.byteLength;
      if (produced > maxBytes) {
        file.terminate();
        return fail(new ExtractionError(tooLargeMessage(maxBytes)));
      }
      chunks.push(chunk);
      if (final) finished.add(file.name);
    };
    file.start();
  });
  unzip.register(UnzipInflate);

  try {
    for (let offset = 0; offset < bytes.byteLength && !failure; offset += INFLATE_SLICE_BYTES) {
      const end = Math.min(offset + INFLATE_SLICE_BYTES, bytes.byteLength);
      unzip.push(bytes.subarray(offset, end), end === bytes.byteLength);
    }
  } catch {
    fail(new ExtractionError('The Word document is corrupt (its zip structure cannot be read)'));
  }
  if (failure) throw failure;
  if (entries === 0) throw new ExtractionError('The Word document is corrupt (its zip structure cannot be read)');
  const parts: Record<string, Uint8Array> = {};
  for (const [name, chunks] of Object.entries(pieces)) {
    if (!finished.has(name)) throw new ExtractionError('The Word document is corrupt (a part is truncated)');
    parts[name] = concat(chunks);
  }
  return parts;
}

/** The end-of-central-directory record: its signature within the last 22 + 65,535 bytes. */
function hasEndOfCentralDirectory(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = bytes.byteLength - 22; i >= 0 && i >= bytes.byteLength - 22 - 65_535; i--) {
    if (view.getUint32(i, true) === 0x06054b50) return true;
  }
  return false;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function parseXml(bytes: Uint8Array): XmlDocument {
  return parseDocument(new TextDecoder().decode(bytes), { xmlMode: true });
}

// ---------------------------------------------------------------------------------------------
// Styles

/**
 * Maps style ids to heading levels (1-6; 0 for the document title). Word localizes style ids
 * ("Ttulo1" in Spanish, "berschrift1" in German), but the style's name stays "heading 1" and
 * its outline level is language-neutral, so styles.xml is the reliable source.
 */
function headingLevelsByStyle(stylesXml: Uint8Array | undefined): Map<string, number> {
  const levels = new Map<string, number>();
  if (!stylesXml) return levels;
  const styles = DomUtils.getElementsByTagName('w:style', parseXml(stylesXml).children);
  for (const style of styles) {
    const id = style.attribs['w:styleId'];
    if (!id) continue;
    const name = DomUtils.findOne((element) => element.name === 'w:name', style.children)?.attribs['w:val'] ?? '';
    const outline = DomUtils.findOne((element) => element.name === 'w:outlineLvl', style.children)?.attribs['w:val'];
    const level = levelFromStyleName(name) ?? (outline !== undefined ? Number(outline) + 1 : undefined);
    if (level !== undefined && level >= 0 && level <= 6) levels.set(id, level);
  }
  return levels;
}

/** "heading 2" -> 2, "Title" -> 0; also the default English and Spanish style ids. */
function levelFromStyleName(name: string): number | undefined {
  const normalized = name.toLowerCase().replace(/[\s_-]/g, '');
  if (normalized === 'title' || normalized === 'titulo' || normalized === 'título') return 0;
  const match = /^(?:heading|t[ií]tulo|ttulo|encabezado)(\d)$/.exec(normalized);
  return match ? Number(match[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Body

class DocxSectionWriter {
  private readonly sections: Section[] = [];
  private readonly trail = new HeadingTrail();
  private headings: string[] = [];
  private title: string | undefined;

  constructor(private readonly headingStyles: Map<string, number>) {}

  write(document: XmlDocument): ExtractedDocument {
    const body = DomUtils.findOne((element) => element.name === 'w:body', document.children);
    if (body) this.visitBlocks(body.children);
    return { title: this.title, sections: this.sections };
  }

  /** Paragraphs and tables in reading order; content controls and revisions are looked into. */
  private visitBlocks(nodes: XmlNode[]): void {
    for (const node of nodes) {
      if (!isElement(node)) continue;
      if (node.name === 'w:p') this.writeParagraph(node);
      else if (node.name === 'w:tbl') this.writeTable(node);
      else if (node.name !== 'w:sectPr') this.visitBlocks(node.children);
    }
  }

  private writeParagraph(paragraph: XmlElement): void {
    const text = collapseParagraphText(paragraphText(paragraph));
    if (text === '') return;
    const level = this.headingLevel(paragraph);
    if (level !== undefined) {
      // The Title style is level 0, so it stays above "Heading 1" in the heading path.
      this.title ??= text;
      this.headings = this.trail.enter(level, text);
      this.push('heading', text, this.headings);
      return;
    }
    this.push(isListItem(paragraph) ? 'list-item' : 'paragraph', text, this.headings);
  }

  private headingLevel(paragraph: XmlElement): number | undefined {
    const properties = childElement(paragraph, 'w:pPr');
    if (!properties) return undefined;
    const styleId = childElement(properties, 'w:pStyle')?.attribs['w:val'];
    const outline = childElement(properties, 'w:outlineLvl')?.attribs['w:val'];
    if (styleId !== undefined) {
      const level = this.headingStyles.get(styleId) ?? levelFromStyleName(styleId);
      if (level !== undefined) return level;
    }
    return outline !== undefined && Number(outline) < 6 ? Number(outline) + 1 : undefined;
  }

  /** Each row is one section, cells joined with " | " (or "Header: value" under a header row). */
  private writeTable(table: XmlElement): void {
    const rows = childElements(table, 'w:tr');
    const header = rows.length > 1 && isHeaderRow(rows[0]) ? cellTexts(rows[0]) : undefined;
    for (const row of header ? rows.slice(1) : rows) {
      const text = tableRowText(cellTexts(row), header);
      if (text !== '') this.push('table-row', text, this.headings);
    }
  }

  private push(kind: SectionKind, text: string, headings: string[]): void {
    this.sections.push(makeSection(kind, text, makeLocation({ headings })));
  }
}

function isElement(node: XmlNode): node is XmlElement {
  return 'attribs' in node;
}

function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter(isElement).filter((child) => child.name === name);
}

function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child): child is XmlElement => isElement(child) && child.name === name);
}

/** Numbered and bulleted paragraphs carry numbering properties (directly or by list style). */
function isListItem(paragraph: XmlElement): boolean {
  const properties = childElement(paragraph, 'w:pPr');
  if (!properties) return false;
  if (childElement(properties, 'w:numPr')) return true;
  return /^list/i.test(childElement(properties, 'w:pStyle')?.attribs['w:val'] ?? '');
}

/** A row Word repeats on every page (w:tblHeader) is the table's header. */
function isHeaderRow(row: XmlElement): boolean {
  const properties = childElement(row, 'w:trPr');
  return Boolean(properties && childElement(properties, 'w:tblHeader'));
}

function cellTexts(row: XmlElement): string[] {
  return childElements(row, 'w:tc').map((cell) =>
    collapseWhitespace(DomUtils.getElementsByTagName('w:p', cell.children).map(paragraphText).join(' ')),
  );
}

/**
 * The visible text of a paragraph: w:t runs, tabs and breaks. Deleted revisions (w:delText)
 * and field instructions (w:instrText) are skipped because they are not what the reader sees.
 */
function paragraphText(paragraph: XmlElement): string {
  let text = '';
  const visit = (nodes: XmlNode[]) => {
    for (const node of nodes) {
      if (!isElement(node)) continue;
      if (node.name === 'w:t') text += DomUtils.textContent(node);
      else if (node.name === 'w:tab' || node.name === 'w:ptab') text += '\t';
      else if (node.name === 'w:br' || node.name === 'w:cr') text += '\n';
      else if (node.name === 'w:noBreakHyphen') text += '-';
      else if (node.name !== 'w:pPr' && node.name !== 'w:del' && node.name !== 'w:instrText') visit(node.children);
    }
  };
  visit(paragraph.children);
  return text;
}

/** Tabs become single spaces and line breaks stay, so addresses and verses keep their lines. */
function collapseParagraphText(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}
