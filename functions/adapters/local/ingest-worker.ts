/**
 * Worker-thread entry for ingestion's computation (see worker-pool.ts): extract and chunk a
 * document and keep its chunks until the main thread has read them, and built-in embeddings.
 * No database here: PGlite lives on a thread of its own (database-worker.ts), driven by the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { builtinEmbedFunction } from '../../core/embeddings/builtin';
import { prepareChunks } from '../../core/ingest/prepare';
import type { Chunk } from '../../core/ingest/types';
import type { WorkerReply, WorkerRequest } from './worker-pool';

const held = new Map<number, Chunk[]>();

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'prepare': {
      const { summary, chunks } = await prepareChunks(request.input);
      held.set(request.id, chunks);
      return { ...summary, handle: request.id };
    }
    case 'read':
      return held.get(request.handle)?.slice(request.from, request.to) ?? [];
    case 'release':
      held.delete(request.handle);
      return null;
    case 'embed': {
      const embed = builtinEmbedFunction(request.model);
      if (!embed) throw new Error(`not a built-in embedding model: ${request.model}`);
      return request.texts.map((text) => embed(text));
    }
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (result) => parentPort!.postMessage({ id: request.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      parentPort!.postMessage({ id: request.id, ok: false, error: { name, message } } satisfies WorkerReply);
    },
  );
});
