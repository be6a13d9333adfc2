import { describe, expect, it } from 'vitest';
import { makeDocx } from '../../../scripts/fixtures/make-docx';
import { makePdf } from '../../../scripts/fixtures/make-pdf';
import { detectFileType, mimeFor } from './detect';
import { strToU8, zipSync } from 'fflate';

const text = (value: string) => new TextEncoder().encode(value);

describe('detectFileType', () => {
  it('accepts a real PDF by magic bytes and name', async () => {
    const pdf = await makePdf(1);
    expect(detectFileType(pdf, 'handbook.pdf')).toBe('pdf');
    expect(detectFileType(pdf, 'handbook', 'application/pdf')).toBe('pdf');
    expect(detectFileType(pdf, 'blob', 'application/octet-stream')).toBe('pdf');
  });

  it('refuses a spoofed .pdf (text or an executable renamed)', () => {
    expect(detectFileType(text('just text, not a pdf'), 'report.pdf')).toBeNull();
    expect(detectFileType(new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03]), 'report.pdf')).toBeNull();
  });

  it('accepts a DOCX by its central directory and refuses other zips named .docx', () => {
    expect(detectFileType(makeDocx(['Hello']), 'letter.docx')).toBe('docx');
    const plainZip = zipSync({ 'readme.txt': strToU8('hello') });
    expect(detectFileType(plainZip, 'letter.docx')).toBeNull();
    expect(detectFileType(text('PK not really a zip'), 'letter.docx')).toBeNull();
  });

  it('refuses a file whose bytes contradict its name', async () => {
    expect(detectFileType(await makePdf(1), 'notes.docx')).toBeNull();
    expect(detectFileType(makeDocx(['x']), 'notes.pdf')).toBeNull();
  });

  it('tells text types apart by extension, then by declared MIME type', () => {
    expect(detectFileType(text('hello'), 'a.txt')).toBe('txt');
    expect(detectFileType(text('# Title'), 'a.md')).toBe('md');
    expect(detectFileType(text('# Title'), 'a.markdown')).toBe('md');
    expect(detectFileType(text('a,b\n1,2'), 'a.csv')).toBe('csv');
    expect(detectFileType(text('<p>x</p>'), 'a.htm')).toBe('html');
    expect(detectFileType(text('a,b'), 'upload', 'text/csv; charset=utf-8')).toBe('csv');
    expect(detectFileType(text('<!DOCTYPE html><html></html>'), 'page')).toBe('html');
    expect(detectFileType(text('  <html><body>x</body></html>'), 'page', 'application/octet-stream')).toBe('html');
    expect(detectFileType(text('plain words'), 'page')).toBe('txt');
  });

  it('refuses binary or invalid UTF-8 content named as text', () => {
    expect(detectFileType(new Uint8Array([0x68, 0x69, 0x00, 0x01]), 'notes.txt')).toBeNull();
    expect(detectFileType(new Uint8Array([0xc3, 0x28, 0x41]), 'notes.txt')).toBeNull();
    expect(detectFileType(text('ñandú, acción'), 'notes.txt')).toBe('txt');
  });

  it('refuses unsupported extensions and MIME types', () => {
    expect(detectFileType(text('{"a":1}'), 'data.json')).toBeNull();
    expect(detectFileType(text('x'), 'upload', 'image/png')).toBeNull();
  });

  it('maps types to MIME types', () => {
    expect(mimeFor('pdf')).toBe('application/pdf');
    expect(mimeFor('docx')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(mimeFor('md')).toBe('text/markdown');
  });
});
