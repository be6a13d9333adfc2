import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { dirname, resolve, sep } from 'node:path';
import type { BlobStore } from '../../ports';

const META = '.meta.json';

/** Blobs as files under `dir` (the runtime passes `${dataDir}/blobs`), like R2 keys. */
export function createFileBlobStore(dir: string): BlobStore {
  const root = resolve(dir);

  // Keys come from our own code (`org/<id>/docs/<id>`), but a key built from user input must
  // never escape the store.
  const pathOf = (key: string): string => {
    const segments = key.split('/');
    if (
      key.length === 0 ||
      key.includes('\\') ||
      key.includes('\0') ||
      key.endsWith(META) ||
      segments.some((s) => s === '' || s === '.' || s === '..')
    ) {
      throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
    }
    const path = resolve(root, ...segments);
    if (!path.startsWith(root + sep)) throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
    return path;
  };

  // Write then rename, so a reader never sees half a file.
  const writeAtomic = async (path: string, data: Uint8Array | string) => {
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
  };

  const writeMeta = async (path: string, contentType: string | undefined) => {
    if (contentType) await writeAtomic(path + META, JSON.stringify({ contentType }));
    else await rm(path + META, { force: true });
  };

  const readMeta = async (path: string) => {
    try {
      return (JSON.parse(await readFile(path + META, 'utf8')) as { contentType?: string }).contentType;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return undefined;
    }
  };

  return {
    async putStream(key, stream, options) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomUUID()}.tmp`;
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.byteLength;
          done(null, chunk);
        },
      });
      try {
        await pipeline(Readable.fromWeb(stream as NodeWebStream<Uint8Array>), counter, createWriteStream(tmp));
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      await rename(tmp, path);
      await writeMeta(path, options?.contentType);
      return { size };
    },

    async getStream(key) {
      const path = pathOf(key);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      const contentType = await readMeta(path);
      const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
      return contentType ? { body, size, contentType } : { body, size };
    },

    async put(key, data, options) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const body = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
      await writeAtomic(path, body);
      if (options?.contentType) {
        await writeAtomic(path + META, JSON.stringify({ contentType: options.contentType }));
      } else {
        await rm(path + META, { force: true });
      }
    },

    async get(key) {
      const path = pathOf(key);
      let body: Buffer;
      try {
        body = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      let contentType: string | undefined;
      try {
        contentType = (JSON.parse(await readFile(path + META, 'utf8')) as { contentType?: string }).contentType;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      return contentType ? { body: bytes, contentType } : { body: bytes };
    },

    async delete(key) {
      const path = pathOf(key);
      await rm(path, { force: true });
      await rm(path + META, { force: true });
    },
  };
}
