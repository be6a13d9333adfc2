import type { BlobStore } from '../../ports';

/** Files in R2 through the Worker's bucket binding. */
export function createR2BlobStore(bucket: R2Bucket): BlobStore {
  return {
    async put(key, data, options) {
      await bucket.put(key, data, options?.contentType ? { httpMetadata: { contentType: options.contentType } } : undefined);
    },
    async get(key) {
      const object = await bucket.get(key);
      if (!object) return null;
      const body = new Uint8Array(await object.arrayBuffer());
      const contentType = object.httpMetadata?.contentType;
      return contentType ? { body, contentType } : { body };
    },
    async delete(key) {
      await bucket.delete(key);
    },
  };
}
