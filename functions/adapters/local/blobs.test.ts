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

  it('rejects keys that could leave the store', async () => {
    const { dir, store } = await tempStore();
    for (const key of ['../escape', 'org/../../escape', '/etc/passwd', 'org//x', 'org\\..\\x', '', 'a/.', 'x.meta.json']) {
      await expect(store.put(key, 'x'), key).rejects.toThrow(/invalid blob key/);
      await expect(store.get(key), key).rejects.toThrow(/invalid blob key/);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
