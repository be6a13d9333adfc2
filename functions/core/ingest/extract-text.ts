/**
 * Extraction for the plain-text family: txt, markdown and CSV, plus the small helpers every
 * extractor shares (whitespace, heading paths, table rows).
 */
import Papa from 'papaparse';
import type { ExtractedDocument, Section, SectionKind, SourceLocation } from './types';

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Runs of any whitespace (newlines included) become one space; the ends are trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The stack of headings above the current point. A heading of level n replaces everything at
 * level n and below, so "## Refunds" after "## Plans" yields ["Pricing", "Refunds"].
 */
export class HeadingTrail {
  private readonly stack: Array<{ level: number; text: string }> = [];

  enter(level: number, text: string): string[] {
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].level >= level) this.stack.pop();
    this.stack.push({ level, text });
    return this.path();
  }

  path(): string[] {
    return this.stack.map((heading) => heading.text);
  }
}

/** A location without empty fields, so equal locations serialize equally. */
export function makeLocation(parts: { page?: number; headings?: string[]; url?: string }): SourceLocation {
  const location: SourceLocation = {};
  if (parts.page !== undefined) location.page = parts.page;
  if (parts.headings && parts.headings.length > 0) location.headings = [...parts.headings];
  if (parts.url) location.url = parts.url;
  return location;
}

export function makeSection(kind: SectionKind, text: string, location: SourceLocation): Section {
  return { kind, text, location };
}

/**
 * One table row as self-contained text. With a header, "Plan: Pro; Price: 20 USD" keeps every
 * value next to its column name, so a row retrieved alone still answers "how much is Pro?".
 */
export function tableRowText(cells: string[], header?: string[]): string {
  if (!header || header.length === 0) return cells.filter((cell) => cell !== '').join(' | ');
  return cells
    .map((cell, index) => (cell === '' ? '' : `${header[index] || `Column ${index + 1}`}: ${cell}`))
    .filter((pair) => pair !== '')
    .join('; ');
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

// ---------------------------------------------------------------------------------------------
// Plain text

/** Paragraphs are separated by blank lines; line breaks inside a paragraph are kept. */
export function extractPlainText(text: string): ExtractedDocument {
  const sections = normalizeNewlines(text)
    .split(/\n[ \t]*\n/)
    .map(tidyParagraph)
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => makeSection('paragraph', paragraph, {}));
  return { sections };
}

function tidyParagraph(paragraph: string): string {
  return paragraph
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Markdown

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const TABLE_LINE = /^[ \t]*\|.*\|[ \t]*$/;
const TABLE_SEPARATOR = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const BLOCKQUOTE = /^ {0,3}>[ \t]?/;

/**
 * A line-based reader for the markdown people actually write: ATX and setext headings, lists,
 * fenced code, pipe tables, paragraphs. Not CommonMark-complete on purpose; it only has to find
 * the structure that chunking respects.
 */
export function extractMarkdown(markdown: string): ExtractedDocument {
  const reader = new MarkdownReader(normalizeNewlines(markdown).split('\n'));
  return reader.read();
}

class MarkdownReader {
  private readonly sections: Section[] = [];
  private readonly trail = new HeadingTrail();
  private headings: string[] = [];
  private title: string | undefined;
  private paragraph: string[] = [];
  private listItem: string[] | null = null;
  private index = 0;

  constructor(private readonly lines: string[]) {}

  read(): ExtractedDocument {
    while (this.index < this.lines.length) this.readBlock();
    this.flushText();
    return { title: this.title, sections: this.sections };
  }

  private readBlock(): void {
    const line = this.lines[this.index];
    const fence = FENCE.exec(line);
    if (fence) return this.readFencedCode(fence[1]);
    if (line.trim() === '') {
      this.flushText();
      this.index++;
      return;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      this.flushText();
      this.addHeading(atx[1].length, atx[2] ?? '');
      this.index++;
      return;
    }
    const setext = SETEXT_UNDERLINE.exec(line);
    if (setext && this.paragraph.length === 1 && !this.listItem) {
      const text = this.paragraph[0];
      this.paragraph = [];
      this.addHeading(setext[1].startsWith('=') ? 1 : 2, text);
      this.index++;
      return;
    }
    if (TABLE_LINE.test(line)) return this.readTable();
    const item = LIST_ITEM.exec(line);
    if (item) {
      this.flushText();
      this.listItem = [item[1]];
      this.index++;
      return;
    }
    const text = line.replace(BLOCKQUOTE, '').trim();
    // Lines after a list item belong to it until a blank line (markdown's lazy continuation).
    if (this.listItem) this.listItem.push(text);
    else {
      this.flushListItem();
      this.paragraph.push(text);
    }
    this.index++;
  }

  private addHeading(level: number, rawText: string): void {
    const text = cleanInlineMarkdown(rawText);
    if (text === '') return;
    this.headings = this.trail.enter(level, text);
    if (!this.title && level === 1) this.title = text;
    this.sections.push(makeSection('heading', text, makeLocation({ headings: this.headings })));
  }

  /** Code is kept whole, newlines and indentation included: it means nothing once reflowed. */
  private readFencedCode(fence: string): void {
    this.flushText();
    const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}[ \\t]*$`);
    const body: string[] = [];
    this.index++;
    while (this.index < this.lines.length && !closing.test(this.lines[this.index])) {
      body.push(this.lines[this.index]);
      this.index++;
    }
    this.index++; // the closing fence (or past the end when it is missing)
    const code = body.join('\n').replace(/^\n+|\s+$/g, '');
    if (code !== '') this.push('code', code);
  }

  private readTable(): void {
    this.flushText();
    const rows: string[][] = [];
    let header: string[] | undefined;
    while (this.index < this.lines.length && TABLE_LINE.test(this.lines[this.index])) {
      const line = this.lines[this.index];
      if (TABLE_SEPARATOR.test(line)) {
        if (rows.length === 1 && !header) header = rows.pop();
      } else {
        rows.push(splitTableLine(line));
      }
      this.index++;
    }
    // A table with a header and no body still says something: keep the header as a row.
    const [dataRows, columnNames] = rows.length === 0 && header ? [[header], undefined] : [rows, header];
    for (const row of dataRows) {
      const text = tableRowText(row, columnNames);
      if (text !== '') this.push('table-row', text);
    }
  }

  private flushText(): void {
    this.flushListItem();
    if (this.paragraph.length === 0) return;
    const text = cleanInlineMarkdown(this.paragraph.join(' '));
    this.paragraph = [];
    if (text !== '') this.push('paragraph', text);
  }

  private flushListItem(): void {
    if (!this.listItem) return;
    const text = cleanInlineMarkdown(this.listItem.join(' '));
    this.listItem = null;
    if (text !== '') this.push('list-item', text);
  }

  private push(kind: SectionKind, text: string): void {
    this.sections.push(makeSection(kind, text, makeLocation({ headings: this.headings })));
  }
}

function splitTableLine(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cleanInlineMarkdown(cell.replace(/\\\|/g, '|')));
}

/**
 * Drops the markup that only changes looks (emphasis, link targets, images) so the indexed
 * text reads like the rendered page; link text is kept because it often names the topic.
 */
function cleanInlineMarkdown(text: string): string {
  return collapseWhitespace(
    text
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
      .replace(/(^|[\s(])[*_](?=\S)(.+?)(?<=\S)[*_](?=[\s).,;:!?]|$)/g, '$1$2')
      .replace(/`([^`]+)`/g, '$1'),
  );
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * Every data row becomes one table-row section, "Header: value; ...", so a row retrieved alone
 * still carries its column names. The first row is the header.
 */
export function extractCsv(text: string): ExtractedDocument {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const rows = parsed.data.map((row) => row.map((cell) => collapseWhitespace(String(cell ?? ''))));
  if (rows.length === 0) return { sections: [] };
  const [header, ...body] = rows;
  const dataRows = body.length > 0 ? body : [header];
  const sections = dataRows
    .map((row) => tableRowText(row, body.length > 0 ? header : undefined))
    .filter((rowText) => rowText !== '')
    .map((rowText) => makeSection('table-row', rowText, {}));
  return { sections };
}
