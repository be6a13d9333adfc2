/**
 * File type detection for uploads. The name and declared MIME type say what the user claims;
 * the bytes must agree, so a renamed executable or a spoofed `.pdf` is refused (415) before
 * any parser sees it.
 */
import type { SupportedType } from './types';

const MIME_BY_TYPE: Record<SupportedType, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
};

const TYPE_BY_EXTENSION: Record<string, SupportedType> = {
  txt: 'txt',
  text: 'txt',
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  pdf: 'pdf',
  docx: 'docx',
  xlsx: 'xlsx',
  csv: 'csv',
};

const TYPE_BY_MIME: Record<string, SupportedType> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  [MIME_BY_TYPE.docx]: 'docx',
  [MIME_BY_TYPE.xlsx]: 'xlsx',
  'text/csv': 'csv',
  'application/csv': 'csv',
};

/** MIME types browsers send when they know nothing; they carry no claim. */
const GENERIC_MIMES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

const TEXT_TYPES = new Set<SupportedType>(['txt', 'md', 'html', 'csv']);

export function mimeFor(type: SupportedType): string {
  return MIME_BY_TYPE[type];
}

/**
 * The supported type of an upload, or null when it is unsupported or its bytes contradict its
 * name (the caller answers 415). The extension wins over the declared MIME type because
 * browsers guess the MIME type from the extension anyway, and less consistently.
 */
export function detectFileType(
  bytes: Uint8Array,
  fileName: string,
  declaredMime?: string,
): SupportedType | null {
  const claimed = claimedType(fileName, declaredMime);
  if (claimed === 'unsupported') return null;
  if (claimed === 'pdf') return isPdf(bytes) ? 'pdf' : null;
  if (claimed === 'docx') return isDocx(bytes) ? 'docx' : null;
  if (claimed === 'xlsx') return isXlsx(bytes) ? 'xlsx' : null;
  if (claimed) return isUtf8Text(bytes) ? claimed : null;
  return sniffUnclaimed(bytes);
}

/** What the name or MIME type claims: a type, nothing (no extension, generic MIME), or unsupported. */
function claimedType(fileName: string, declaredMime?: string): SupportedType | 'unsupported' | undefined {
  const extension = extensionOf(fileName);
  if (extension) return TYPE_BY_EXTENSION[extension] ?? 'unsupported';
  const mime = (declaredMime ?? '').split(';')[0].trim().toLowerCase();
  if (GENERIC_MIMES.has(mime)) return undefined;
  return TYPE_BY_MIME[mime] ?? 'unsupported';
}

function extensionOf(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : undefined;
}

/** A file with no extension and no useful MIME type: trust the bytes alone. */
function sniffUnclaimed(bytes: Uint8Array): SupportedType | null {
  if (isPdf(bytes)) return 'pdf';
  if (isDocx(bytes)) return 'docx';
  if (isXlsx(bytes)) return 'xlsx';
  if (!isUtf8Text(bytes)) return null;
  return looksLikeHtml(bytes) ? 'html' : 'txt';
}

export function isTextType(type: SupportedType): boolean {
  return TEXT_TYPES.has(type);
}

function isPdf(bytes: Uint8Array): boolean {
  return startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d]); // "%PDF-"
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, index) => bytes[index] === byte);
}

/** Text we can index: valid UTF-8 without NUL bytes (binary formats almost always contain one). */
function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4"
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
/** The end record sits in the last 22 bytes plus a comment of at most 65535 bytes. */
const MAX_END_RECORD_DISTANCE = 22 + 0xffff;
const DOCX_BODY_PART = 'word/document.xml';

/**
 * A DOCX is a zip whose central directory lists word/document.xml. Reading the directory
 * names costs nothing and inflates nothing, so a zip bomb is harmless here.
 */
export function isDocx(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, ZIP_LOCAL_HEADER)) return false;
  return zipEntryNames(bytes)?.includes(DOCX_BODY_PART) ?? false;
}

/** An XLSX is a zip whose central directory lists xl/workbook.xml (read without inflating anything). */
export function isXlsx(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, ZIP_LOCAL_HEADER)) return false;
  return zipEntryNames(bytes)?.includes('xl/workbook.xml') ?? false;
}

/** The entry names from a zip's central directory, or null when the directory is unreadable. */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEndOfCentralDirectory(view);
  if (end < 0) return null;
  const entryCount = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const names: string[] = [];
  const decoder = new TextDecoder();
  for (let index = 0; index < entryCount; index++) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_DIRECTORY_ENTRY) return null;
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    if (offset + 46 + nameLength > view.byteLength) return null;
    names.push(decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - MAX_END_RECORD_DISTANCE);
  for (let offset = view.byteLength - 22; offset >= lowest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return -1;
}
