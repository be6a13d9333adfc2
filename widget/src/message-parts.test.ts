import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from './api';
import { FakeNode, fakeDocument, textOf } from './fake-dom';
import { filesView } from './message-parts';

type Attachment = NonNullable<Message['attachments']>[number];

beforeEach(() => {
  vi.stubGlobal('document', fakeDocument);
});
afterEach(() => vi.unstubAllGlobals());

const stored = (over: Partial<Attachment>): Attachment => ({ kind: 'document', status: 'stored', mimeType: null, size: null, filename: null, ...over });

/** Renders the files and lets every load settle; `loaded` says which indexes were fetched. */
async function render(list: Attachment[]) {
  const loaded: number[] = [];
  const box = filesView(list, async (index) => {
    loaded.push(index);
    return new Blob([`file ${index}`]);
  }) as unknown as FakeNode;
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { box, loaded };
}

describe('filesView (files on a widget message)', () => {
  it('an image is a preview that opens full size, from an object URL', async () => {
    const { box } = await render([stored({ kind: 'image', mimeType: 'image/jpeg', filename: 'recibo.jpg', size: 2048 })]);
    const [link] = box.children;
    expect(link.tag).toBe('a');
    expect(link.attrs).toEqual({ target: '_blank' });
    const [img] = link.children;
    expect(img.tag).toBe('img');
    expect(img.attrs.alt).toBe('recibo.jpg');
    expect(img.src).toMatch(/^blob:/);
    expect(link.href).toBe(img.src);
  });

  it('audio and video are players; other files are download links with name and size', async () => {
    const { box } = await render([
      stored({ kind: 'audio', filename: 'nota.ogg' }),
      stored({ kind: 'video', filename: 'demo.mp4' }),
      stored({ filename: 'factura.pdf', size: 12 * 1024 }),
      stored({ filename: 'catalogo.zip', size: 2.5 * 1024 * 1024 }),
      stored({ filename: 'nota.txt', size: 60 }),
    ]);
    const [audio, video, pdf, zip, note] = box.children;
    expect([audio.tag, audio.attrs.controls, audio.src?.startsWith('blob:')]).toEqual(['audio', '', true]);
    expect([video.tag, video.attrs.controls, video.src?.startsWith('blob:')]).toEqual(['video', '', true]);
    expect(pdf.attrs.download).toBe('factura.pdf');
    expect(textOf(pdf)).toBe('factura.pdf · 12 KB');
    expect(pdf.href).toMatch(/^blob:/);
    expect(textOf(zip)).toBe('catalogo.zip · 2.5 MB');
    expect(textOf(note)).toBe('nota.txt · 60 B');
  });

  it('only stored files show, each fetched by its own position in the message', async () => {
    const { box, loaded } = await render([stored({ status: 'pending' }), stored({ status: 'failed' }), stored({ filename: 'ok.pdf' })]);
    expect(box.children).toHaveLength(1);
    expect(loaded).toEqual([2]);
  });

  it('a file name is text, never markup', async () => {
    const { box } = await render([stored({ filename: '<img src=x onerror=alert(1)>.pdf' })]);
    const [link] = box.children;
    expect(link.children.map((c) => c.tag)).toEqual(['#text']);
    expect(textOf(link)).toBe('<img src=x onerror=alert(1)>.pdf');
  });

  it('a file that cannot be fetched stays a link without an address, and nothing throws', async () => {
    const box = filesView([stored({ filename: 'x.pdf' })], () => Promise.reject(new Error('401'))) as unknown as FakeNode;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(box.children[0].href).toBeUndefined();
  });
});
