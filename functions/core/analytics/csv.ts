/**
 * CSV as spreadsheets open it (RFC 4180): comma separated, CRLF line ends, quotes where needed,
 * and a UTF-8 byte order mark so Excel reads accents right. Text that a spreadsheet would run as
 * a formula (=, +, -, @ at the start) is prefixed with a quote: bot names and questions come
 * from users.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: string[], rows: Array<Record<string, CsvValue>>): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => cell(row[column])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
