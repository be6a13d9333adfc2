import type { BlobStore } from '../../ports';

/** R2 takes parts of equal size (the last may be smaller), at least 5 MiB each. */
const PART_BYTES = 5 * 1024 * 1024;

/** Files in R2 through the Worker's bucket binding. */
export function createR2BlobStore(bucket: R2Bucket): BlobStore {
  const httpMetadata = (contentType?: string) => (contentType ? { httpMetadata: { contentType } } : undefined);

  /** A stream of unknown length: a multipart upload, holding one part in memory at a time. */
  async function putInParts(key: string, stream: ReadableStream<Uint8Array>, contentType?: string) {
    const upload = await bucket.createMultipartUpload(key, httpMetadata(contentType));
    const parts: R2UploadedPart[] = [];
    let buffer = new Uint8Array(PART_BYTES);
    let filled = 0;
    let total = 0;
    const flush = async () => {
      // A full part goes as it is (no copy); the next part gets a fresh buffer, so at most one part
      // plus the one R2 is still reading is ever held. Only the short last part is cut to length.
      const part = filled === PART_BYTES ? buffer : buffer.subarray(0, filled);
      parts.push(await upload.uploadPart(parts.length + 1, part));
      if (filled === PART_BYTES) buffer = new Uint8Array(PART_BYTES);
      filled = 0;
    };
    try {
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        for (let offset = 0; offset < value.byteLength; ) {
          const take = Math.min(PART_BYTES - filled, value.byteLength - offset);
          buffer.set(value.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
          if (filled === PART_BYTES) await flush();
        }
      }
      if (filled > 0 || parts.length === 0) await flush();
      buffer = new Uint8Array(0);
      await upload.complete(parts);
      return { size: total };
    } catch (error) {
      await upload.abort().catch(() => {});
      throw error;
    }
  }

  return {
    async put(key, data, options) {
      await bucket.put(key, data, httpMetadata(options?.contentType));
    },
    async get(key) {
      const object = await bucket.get(key);
      if (!object) return null;
      const body = new Uint8Array(await object.arrayBuffer());
      const contentType = object.httpMetadata?.contentType;
      return contentType ? { body, contentType } : { body };
    },
    async putStream(key, stream, options) {
      if (options?.size === undefined) return putInParts(key, stream, options?.contentType);
      // R2 needs the length of a streamed body up front; a stream that ends short or runs long errors.
      await bucket.put(key, stream.pipeThrough(new FixedLengthStream(options.size)), httpMetadata(options.contentType));
      return { size: options.size };
    },
    async getStream(key) {
      const object = await bucket.get(key);
      if (!object) return null;
      const contentType = object.httpMetadata?.contentType;
      return { body: object.body as ReadableStream<Uint8Array>, size: object.size, ...(contentType ? { contentType } : {}) };
    },
    async delete(key) {
      await bucket.delete(key);
    },
  };
}
