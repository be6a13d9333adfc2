import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { detectFileType } from './detect';
import { extractDocument } from './extract';
import { MAX_XLSX_PART_BYTES } from './extract-xlsx';
import { ExtractionError } from './types';

/** A minimal workbook as Excel writes it: shared strings, two sheets, a numeric and a boolean cell. */
function makeXlsx(): Uint8Array {
  const sheet = (rows: string) => `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
  return zipSync({
    '[Content_Types].xml': strToU8('<Types/>'),
    'xl/workbook.xml': strToU8(
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Precios" sheetId="1" r:id="rId1"/><sheet name="Horario" sheetId="2" r:id="rId2"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>',
    ),
    'xl/sharedStrings.xml': strToU8('<sst><si><t>Plan</t></si><si><t>Precio</t></si><si><r><t>Pro</t></r><r><t> anual</t></r></si><si><t>Día</t></si><si><t>Lunes a viernes</t></si></sst>'),
    'xl/worksheets/sheet1.xml': strToU8(
      sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Activo</t></is></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>240</v></c><c r="C2" t="b"><v>1</v></c></row>'),
    ),
    'xl/worksheets/sheet2.xml': strToU8(sheet('<row r="1"><c r="A1" t="s"><v>3</v></c><c r="C1" t="inlineStr"><is><t>Abre</t></is></c></row><row r="2"><c r="A2" t="s"><v>4</v></c><c r="C2" t="inlineStr"><is><t>9:00</t></is></c></row>')),
  });
}

describe('xlsx uploads', () => {
  it('are recognised by their bytes, not only their name', () => {
    const bytes = makeXlsx();
    expect(detectFileType(bytes, 'tarifas.xlsx')).toBe('xlsx');
    expect(detectFileType(bytes, 'sin-extension')).toBe('xlsx');
    expect(detectFileType(strToU8('hola'), 'falso.xlsx')).toBeNull();
  });

  it("give each sheet's rows as 'Header: value' text under the sheet's name", async () => {
    const doc = await extractDocument({ bytes: makeXlsx(), type: 'xlsx' });
    expect(doc.sections.map((s) => `${s.kind} ${s.text}`)).toEqual([
      'heading Precios',
      'table-row Plan: Pro anual; Precio: 240; Activo: TRUE',
      'heading Horario',
      // Column B is empty in that sheet: C keeps its own header.
      'table-row Día: Lunes a viernes; Abre: 9:00',
    ]);
    expect(doc.sections[1].location.headings).toEqual(['Precios']);
  });

  it('refuses a part that would inflate past the limit, before inflating it', async () => {
    const huge = zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'), 'xl/worksheets/sheet1.xml': new Uint8Array(MAX_XLSX_PART_BYTES + 1) }, { level: 9 });
    await expect(extractDocument({ bytes: huge, type: 'xlsx' })).rejects.toThrow(ExtractionError);
    await expect(extractDocument({ bytes: strToU8('PK not a zip'), type: 'xlsx' })).rejects.toThrow(/corrupt/);
  });
});
