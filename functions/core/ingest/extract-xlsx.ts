/**
 * XLSX text extraction: an .xlsx is a zip of SpreadsheetML parts. Each sheet's rows become table
 * rows ("Header: value; …", as CSV uploads do), under a heading with the sheet's name. Only the
 * workbook, shared strings and sheet parts are inflated, each bounded by its declared size, so a
 * zip bomb is refused before it is inflated.
 */
import { unzipSync } from 'fflate';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { ExtractedDocument, Section } from './types';
import { ExtractionError } from './types';
import { collapseWhitespace, makeSection, tableRowText } from './extract-text';

type XmlElement = ReturnType<typeof DomUtils.getElementsByTagName>[number];

const WORKBOOK_PART = 'xl/workbook.xml';
const RELS_PART = 'xl/_rels/workbook.xml.rels';
const SHARED_STRINGS_PART = 'xl/sharedStrings.xml';
const SHEET_PART = /^xl\/worksheets\/sheet\d+\.xml$/;

/** Largest part, and largest sum of parts, we agree to inflate (real sheets are far smaller). */
export const MAX_XLSX_PART_BYTES = 50 * 1024 * 1024;
export const MAX_XLSX_TOTAL_BYTES = 100 * 1024 * 1024;

function wanted(name: string) {
  return name === WORKBOOK_PART || name === RELS_PART || name === SHARED_STRINGS_PART || SHEET_PART.test(name);
}

function unzipParts(bytes: Uint8Array): Record<string, Uint8Array> {
  let refused: string | undefined;
  let total = 0;
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted(file.name)) return false;
        // fflate inflates into a buffer of exactly the declared size, so declared sizes bound memory.
        total += file.originalSize;
        if (file.originalSize > MAX_XLSX_PART_BYTES || total > MAX_XLSX_TOTAL_BYTES) {
          refused ??= file.name;
          return false;
        }
        return true;
      },
    });
  } catch {
    throw new ExtractionError('The spreadsheet is corrupt (its zip structure cannot be read)');
  }
  if (refused) throw new ExtractionError(`The spreadsheet is too large once unpacked (${refused} goes past the limit)`);
  return parts;
}

const parseXml = (bytes: Uint8Array) => parseDocument(new TextDecoder().decode(bytes), { xmlMode: true });
const byTag = (tag: string, root: { children: Parameters<typeof DomUtils.getElementsByTagName>[1] }) => DomUtils.getElementsByTagName(tag, root.children);

/** Shared strings in order; a rich-text string is the concatenation of its runs. */
function sharedStrings(xml: Uint8Array | undefined): string[] {
  if (!xml) return [];
  return byTag('si', parseXml(xml)).map((si) => byTag('t', si).map((t) => DomUtils.textContent(t)).join(''));
}

/** Sheets in workbook order with their names and part paths (through the workbook's relationships). */
function sheetsInOrder(parts: Record<string, Uint8Array>): Array<{ name: string; part: string }> {
  const workbook = parts[WORKBOOK_PART];
  if (!workbook) throw new ExtractionError('The file is not an Excel workbook (xl/workbook.xml is missing)');
  const targets = new Map<string, string>();
  if (parts[RELS_PART]) {
    for (const rel of byTag('Relationship', parseXml(parts[RELS_PART]))) {
      const target = rel.attribs.Target ?? '';
      targets.set(rel.attribs.Id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
    }
  }
  return byTag('sheet', parseXml(workbook)).map((sheet, index) => ({
    name: sheet.attribs.name ?? `Sheet ${index + 1}`,
    part: targets.get(sheet.attribs['r:id']) ?? `xl/worksheets/sheet${index + 1}.xml`,
  }));
}

/** Column index of a cell reference ("C7" -> 2). */
function columnOf(ref: string | undefined, fallback: number): number {
  const letters = /^[A-Z]+/.exec(ref ?? '')?.[0];
  if (!letters) return fallback;
  let column = 0;
  for (const letter of letters) column = column * 26 + (letter.charCodeAt(0) - 64);
  return column - 1;
}

function cellText(cell: XmlElement, strings: string[]): string {
  const type = cell.attribs.t;
  if (type === 'inlineStr') return byTag('t', cell).map((t) => DomUtils.textContent(t)).join('');
  const value = byTag('v', cell)[0];
  const raw = value ? DomUtils.textContent(value) : '';
  if (type === 's') return strings[Number(raw)] ?? '';
  if (type === 'b') return raw === '1' ? 'TRUE' : 'FALSE';
  return raw;
}

function sheetRows(xml: Uint8Array, strings: string[]): string[][] {
  return byTag('row', parseXml(xml))
    .map((row) => {
      const cells: string[] = [];
      byTag('c', row).forEach((cell, index) => {
        cells[columnOf(cell.attribs.r, index)] = collapseWhitespace(cellText(cell, strings));
      });
      return Array.from(cells, (cell) => cell ?? '');
    })
    .filter((cells) => cells.some((cell) => cell !== ''));
}

export function extractXlsx(bytes: Uint8Array): ExtractedDocument {
  const parts = unzipParts(bytes);
  const strings = sharedStrings(parts[SHARED_STRINGS_PART]);
  const sections: Section[] = [];
  for (const sheet of sheetsInOrder(parts)) {
    const xml = parts[sheet.part];
    if (!xml) continue;
    const rows = sheetRows(xml, strings);
    if (rows.length === 0) continue;
    sections.push(makeSection('heading', sheet.name, { headings: [sheet.name] }));
    // The first row names the columns, as in a CSV upload; a one-row sheet is data.
    const [header, ...body] = rows;
    for (const row of body.length > 0 ? body : [header]) {
      const text = tableRowText(row, body.length > 0 ? header : undefined);
      if (text) sections.push(makeSection('table-row', text, { headings: [sheet.name] }));
    }
  }
  return { sections };
}
