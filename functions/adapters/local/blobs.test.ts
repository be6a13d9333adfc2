import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createFileBlobStore } from './blobs';

async function tempStore() {
  const dir = await mkdtemp(join(tmpdir(), 'versaai-blobs-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return { dir, store: createFileBlobStore(join(dir, 'blobs')) };
}

describe('createFileBlobStore', () => {
  it('round-trips bytes, strings and content type', async () => {
    const { store } = await tempStore();
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await store.put('org/o1/docs/d1', bytes.buffer, { contentType: 'application/pdf' });
    await store.put('org/o1/docs/d2', 'hola ñ');
    const got = await store.get('org/o1/docs/d1');
    expect(got && [...got.body]).toEqual([0, 1, 2, 255]);
    expect(got?.contentType).toBe('application/pdf');
    const text = await store.get('org/o1/docs/d2');
    expect(new TextDecoder().decode(text?.body)).toBe('hola ñ');
    expect(text?.contentType).toBeUndefined();

    await store.delete('org/o1/docs/d1');
    expect(await store.get('org/o1/docs/d1')).toBeNull();
    expect(await store.get('org/o1/docs/missing')).toBeNull();
    await expect(store.delete('org/o1/docs/missing')).resolves.toBeUndefined();
  });

  it('stores a stream and reads it back as a stream; an erroring stream stores nothing', async () => {
    const { dir, store } = await tempStore();
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect(await store.putStream('org/o1/attachments/m1/0-a.bin', source, { contentType: 'application/pdf' })).toEqual({ size: 5 });
    const read = await store.getStream('org/o1/attachments/m1/0-a.bin');
    expect(read?.size).toBe(5);
    expect(read?.contentType).toBe('application/pdf');
    expect([...new Uint8Array(await new Response(read!.body).arrayBuffer())]).toEqual([1, 2, 3, 4, 5]);
    expect(await store.getStream('org/o1/attachments/m1/missing')).toBeNull();

    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([9]));
        controller.error(new Error('too large'));
      },
    });
    await expect(store.putStream('org/o1/attachments/m2/0-b.bin', failing)).rejects.toThrow('too large');
    expect(await store.get('org/o1/attachments/m2/0-b.bin')).toBeNull();
    expect(await readdir(join(dir, 'blobs', 'org', 'o1', 'attachments', 'm2'))).toEqual([]);
  });

  it('rejects keys that could leave the store', async () => {
    const { dir, store } = await tempStore();
    for (const key of ['../escape', 'org/../../escape', '/etc/passwd', 'org//x', 'org\\..\\x', '', 'a/.', 'x.meta.json']) {
      await expect(store.put(key, 'x'), key).rejects.toThrow(/invalid blob key/);
      await expect(store.get(key), key).rejects.toThrow(/invalid blob key/);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
