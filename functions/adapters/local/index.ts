export { openLocalDatabase, findMigrationsFolder, type LocalDatabase } from './database';
export { createMemoryKV } from './kv';
export { createPgVectorStore } from './vectors';
export { createFileBlobStore } from './blobs';
export { createOutboxMailer } from './mail';
export { createLocalQueue, type LocalQueue, type LocalQueueOptions, type QueueLogger } from './queue';
export { createNodeOutbound, type ResolveAll } from './outbound';
export { createIngestWorkerPool, type IngestWorkerPool } from './worker-pool';
