import { describe, expect, it } from 'vitest';
import { modelReadsImages, userContentFor } from '../chat/media-input';
import { attachmentBlobKey, attachmentsOf, safeFilename } from './attachments';
import { checkMediaType, kindOfUpload, sniffImage } from './media-types';

const bytes = (...values: number[]) => new Uint8Array(values);
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1);
const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d);
const WEBP = bytes(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50);
const HTML = new TextEncoder().encode('<!doctype html><svg onload=x>');

describe('media types', () => {
  it('knows images by their first bytes', () => {
    expect(sniffImage(JPEG)).toBe('image/jpeg');
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(WEBP)).toBe('image/webp');
    expect(sniffImage(new TextEncoder().encode('GIF89a......'))).toBe('image/gif');
    expect(sniffImage(HTML)).toBeNull();
  });

  it('an image must be one, whatever the headers say; active types are never stored', () => {
    expect(checkMediaType('image', 'image/jpeg', null, JPEG)).toEqual({ ok: true, mimeType: 'image/jpeg' });
    // The bytes decide the stored type (a PNG announced as JPEG is stored as PNG).
    expect(checkMediaType('image', 'image/jpeg', null, PNG)).toEqual({ ok: true, mimeType: 'image/png' });
    expect(checkMediaType('image', 'image/jpeg', null, HTML)).toMatchObject({ ok: false });
    expect(checkMediaType('image', 'image/svg+xml', null, JPEG)).toMatchObject({ ok: false });
    expect(checkMediaType('document', 'text/html', null, HTML)).toMatchObject({ ok: false });
  });

  it('generic download types fall back to what the webhook declared', () => {
    expect(checkMediaType('audio', 'application/octet-stream', 'audio/ogg; codecs=opus', bytes(0x4f, 0x67, 0x67, 0x53))).toEqual({ ok: true, mimeType: 'audio/ogg' });
    expect(checkMediaType('video', 'application/octet-stream', 'application/pdf', bytes(1))).toMatchObject({ ok: false });
    expect(checkMediaType('document', null, null, bytes(1))).toEqual({ ok: true, mimeType: 'application/octet-stream' });
    expect(checkMediaType('sticker', 'application/octet-stream', null, bytes(0x1f, 0x8b, 8))).toEqual({ ok: true, mimeType: 'application/x-tgsticker' });
  });

  it('an upload that claims to be a picture but is not goes as a document', () => {
    expect(kindOfUpload('image/png', PNG)).toBe('image');
    expect(kindOfUpload('image/png', HTML)).toBe('document');
    expect(kindOfUpload('video/mp4', bytes(0))).toBe('video');
    expect(kindOfUpload('application/zip', bytes(0x50, 0x4b))).toBe('document');
  });

  it('keys and names stay inside the organization prefix', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('factura "marzo".pdf')).toBe('factura_marzo.pdf');
    expect(safeFilename('...')).toBe('file');
    expect(attachmentBlobKey('o1', 'm1', 2, '../x y.pdf')).toBe('org/o1/attachments/m1/2-x_y.pdf');
    expect(attachmentsOf({ attachments: [{ type: 'image', url: 'https://x' }] })).toEqual([]);
  });
});

describe('model input', () => {
  const stored = { metadata: { attachments: [{ kind: 'image', status: 'stored', mimeType: 'image/jpeg', size: 12, filename: 'a.jpg', blobKey: 'k' }] } };
  const blobs = { get: async () => ({ body: JPEG, contentType: 'image/jpeg' }) } as never;

  it('vision models get the picture as an image part; others (and the built-in answerer) the text alone', async () => {
    expect(modelReadsImages('openai:gpt-4o-mini')).toBe(true);
    expect(modelReadsImages('builtin:extractive')).toBe(false);
    expect(modelReadsImages('openai:gpt-3.5-turbo')).toBe(false);
    expect(await userContentFor({ blobs }, 'openai:gpt-4o-mini', stored, '¿Es esta pieza?')).toEqual([
      { type: 'text', text: '¿Es esta pieza?' },
      { type: 'image', image: JPEG, mediaType: 'image/jpeg' },
    ]);
    expect(await userContentFor({ blobs }, 'openai:gpt-3.5-turbo', stored, 'hola')).toBe('hola');
    expect(await userContentFor({ blobs }, 'openai:gpt-4o', { metadata: {} }, 'hola')).toBe('hola');
  });
});
