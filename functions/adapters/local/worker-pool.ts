import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtinEmbedFunction } from '../../core/embeddings/builtin';
import type { IngestOffload, PrepareInput, PreparedDocument, PreparedSummary } from '../../core/ingest/prepare';
import { ExtractionError, type Chunk } from '../../core/ingest/types';
import type { Embedder } from '../../ports';
import { workerEntry } from './worker-entry';

/**
 * Ingestion's computation on worker threads, so a 2,000-page PDF or a 1M-row CSV never blocks
 * the thread that serves requests (and sends the database its statements). The main thread keeps the database work,
 * in short batches. A worker that dies (out of memory, a crash in a parser) fails the calls it
 * had in flight with an ordinary error, so the job is retried, and the next call starts a new one.
 */
export type WorkerRequest =
  | { id: number; op: 'prepare'; input: PrepareInput }
  | { id: number; op: 'read'; handle: number; from: number; to: number }
  | { id: number; op: 'release'; handle: number }
  | { id: number; op: 'embed'; texts: string[]; model: string };

/** A request before the pool numbers it (Omit over a union would merge its members). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name: string; message: string } };

export interface WorkerPoolOptions {
  /** Worker threads (default: one per core beyond the first, at least one). */
  size?: number;
  /** Heap limit of each worker: a hostile file kills its worker, never the server. */
  maxMemoryMb?: number;
}

export interface IngestWorkerPool extends IngestOffload {
  close(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
}

export function createIngestWorkerPool(options: WorkerPoolOptions = {}): IngestWorkerPool {
  const size = Math.max(1, options.size ?? availableParallelism() - 1);
  const slots: Array<Slot | undefined> = new Array(size).fill(undefined);
  let nextId = 1;
  let turn = 0;
  let closed = false;

  const spawn = (index: number): Slot => {
    const entry = workerEntry('ingest-worker');
    const worker = new Worker(entry.url, {
      execArgv: entry.execArgv,
      resourceLimits: options.maxMemoryMb ? { maxOldGenerationSizeMb: options.maxMemoryMb } : undefined,
    });
    const slot: Slot = { worker, pending: new Map(), dead: false };
    // An idle worker must not keep a finished script (a benchmark, a CLI) alive.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiting = slot.pending.get(reply.id);
      if (!waiting) return;
      slot.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(reply.error.name === 'ExtractionError' ? new ExtractionError(reply.error.message) : new Error(reply.error.message));
    });
    const die = (reason: string) => {
      if (slot.dead) return;
      slot.dead = true;
      if (slots[index] === slot) slots[index] = undefined;
      for (const waiting of slot.pending.values()) waiting.reject(new Error(`The ingestion worker stopped (${reason})`));
      slot.pending.clear();
    };
    worker.on('error', (error) => die(error.message));
    worker.on('exit', (code) => die(`exit code ${code}`));
    return slot;
  };

  const slotAt = (index: number): Slot => {
    if (closed) throw new Error('The ingestion worker pool is closed');
    return (slots[index] ??= spawn(index));
  };

  const call = <T>(slot: Slot, request: Unnumbered<WorkerRequest>): Promise<T> => {
    if (slot.dead) return Promise.reject(new Error('The ingestion worker stopped'));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // Keep the process alive only while an answer is awaited.
      slot.worker.ref();
      slot.worker.postMessage({ ...request, id });
    }).finally(() => {
      if (slot.pending.size === 0 && !slot.dead) slot.worker.unref();
    });
  };

  const pick = (): Slot => slotAt(turn++ % size);

  return {
    async prepare(input) {
      const slot = pick();
      const summary = await call<PreparedSummary & { handle: number }>(slot, { op: 'prepare', input });
      const { handle, ...rest } = summary;
      const prepared: PreparedDocument = {
        ...rest,
        // Reads go to the worker that holds the chunks; if it died, the job retries from the start.
        read: (from, to) => call<Chunk[]>(slot, { op: 'read', handle, from, to }),
        close: () => {
          if (!slot.dead) void call(slot, { op: 'release', handle }).catch(() => {});
        },
      };
      return prepared;
    },
    async embed(embedder: Embedder, texts: string[]) {
      // Only the built-in embedder computes; a remote model is network time, not CPU.
      if (!builtinEmbedFunction(embedder.model)) return embedder.embed(texts);
      return call<number[][]>(pick(), { op: 'embed', texts, model: embedder.model });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot?.worker.terminate()));
    },
  };
}
