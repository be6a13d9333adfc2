/**
 * DOCX text extraction: inflate only the parts we read (never the images), refuse zip bombs by
 * their declared size, and read WordprocessingML's paragraphs, headings, lists and tables.
 */
import { unzipSync } from 'fflate';
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
 * Largest part we agree to inflate. Real document.xml files stay under a few MB even for
 * 500-page books; anything larger is almost certainly a zip bomb (a few KB of zeros that
 * inflate to gigabytes), which would take the worker down if inflated.
 */
export const MAX_DOCX_PART_BYTES = 50 * 1024 * 1024;

export function extractDocx(bytes: Uint8Array): ExtractedDocument {
  const parts = unzipParts(bytes);
  const documentXml = parts[DOCUMENT_PART];
  if (!documentXml) throw new ExtractionError('The file is not a Word document (word/document.xml is missing)');
  const headingStyles = headingLevelsByStyle(parts[STYLES_PART]);
  const body = parseXml(documentXml);
  return new DocxSectionWriter(headingStyles).write(body);
}

function unzipParts(bytes: Uint8Array): Record<string, Uint8Array> {
  let oversized: string | undefined;
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzipSync(bytes, {
      filter: (file) => {
        if (file.name !== DOCUMENT_PART && file.name !== STYLES_PART) return false;
        // fflate inflates into a buffer of exactly the declared size, so a part that lies
        // about its size is truncated, not grown: the declared size bounds the memory used.
        if (file.originalSize > MAX_DOCX_PART_BYTES) {
          oversized = file.name;
          return false;
        }
        return true;
      },
    });
  } catch {
    throw new ExtractionError('The Word document is corrupt (its zip structure cannot be read)');
  }
  if (oversized) {
    throw new ExtractionError(`The Word document is too large once unpacked (${oversized} exceeds ${MAX_DOCX_PART_BYTES / 1024 / 1024} MB)`);
  }
  return parts;
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
