/**
 * Ports: the small interfaces every external system sits behind. Each has exactly two adapters,
 * `adapters/edge/*` (Workers: Neon, Upstash, QStash, Pinecone, R2, HTTP mail) and
 * `adapters/local/*` (Node: PGlite, in-process, files, dev outbox).
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from '../../db/schema';
import type { Config } from '../lib/config';
import type { Models } from '../core/models/registry';
import type { Admission } from '../core/chat/admission';
import type { IngestOffload } from '../core/ingest/prepare';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface RateLimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix epoch milliseconds when the window frees a slot. */
  reset: number;
}

export interface KV {
  get<T = unknown>(key: string): Promise<T | null>;
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  del(key: string): Promise<void>;
  /** Sliding-window limit: `limit` hits per `windowSeconds` for `key`. */
  rateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  /**
   * Append to an event stream (a Redis stream at the edge), keeping about `maxLen` entries and
   * expiring the whole stream `ttlSeconds` after the last append. Returns the entry id
   * (`<ms>-<seq>`, increasing), which SSE clients send back as `Last-Event-ID`.
   */
  streamAppend(key: string, data: string, options: { maxLen: number; ttlSeconds: number }): Promise<string>;
  /** Entries strictly after `afterId`, oldest first, at most `count`. */
  streamRead(key: string, afterId: string, count: number): Promise<StreamEntry[]>;
  /** Id of the newest entry, or `0-0` for an empty or missing stream. */
  streamLastId(key: string): Promise<string>;
  ping(): Promise<void>;
}

export interface StreamEntry {
  id: string;
  data: string;
}

export interface EnqueueOptions {
  delaySeconds?: number;
  /** Same id within the dedup window is delivered once (QStash deduplication id). */
  deduplicationId?: string;
  retries?: number;
}

export interface Queue {
  /** Deliver `payload` as a signed POST to `/api/jobs/<name>`. */
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<{ messageId: string }>;
  ping(): Promise<void>;
}

export interface VectorRecord {
  id: string;
  values: number[];
  metadata?: Record<string, string | number | boolean>;
}

export interface VectorMatch {
  id: string;
  score: number;
  metadata?: Record<string, string | number | boolean>;
}

export interface VectorStore {
  /**
   * True when vectors live in the SQL database itself (the local pgvector store): search then
   * loads vector hits together with its full-text statement instead of in parallel with it.
   */
  colocated?: boolean;
  upsert(namespace: string, records: VectorRecord[]): Promise<void>;
  query(namespace: string, vector: number[], topK: number): Promise<VectorMatch[]>;
  deleteIds(namespace: string, ids: string[]): Promise<void>;
  deleteNamespace(namespace: string): Promise<void>;
  ping(): Promise<void>;
}

export interface BlobStore {
  put(key: string, data: ArrayBuffer | Uint8Array | string, options?: { contentType?: string }): Promise<void>;
  get(key: string): Promise<{ body: Uint8Array; contentType?: string } | null>;
  delete(key: string): Promise<void>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** A mailer that keeps what it "sent" so the dashboard and tests can read it (local runtime only). */
export interface DevOutbox {
  list(options?: { to?: string; limit?: number }): Promise<Array<MailMessage & { id: string; createdAt: string }>>;
}

/** Turns texts into vectors with one model; `dimension` is fixed per model. */
export interface Embedder {
  model: string;
  dimension: number;
  embed(texts: string[]): Promise<number[][]>;
}

export interface EmbeddingModelInfo {
  id: string;
  dimension: number;
  /** False when the model needs a key that is not configured. */
  available: boolean;
  label: string;
}

/** The embedding models this deployment can use; `builtin-hash-384` always works offline. */
export interface Embeddings {
  defaultModel: string;
  list(): EmbeddingModelInfo[];
  /** Throws ApiError('bad_request') for an unknown or unavailable model. */
  get(model: string): Embedder;
}

/**
 * HTTP to URLs our users chose (outgoing webhooks). The caller decides which addresses are
 * acceptable; the adapter enforces it where the connection is made: on Node after DNS, connecting
 * to the very address it checked (so DNS rebinding cannot slip past); on Workers, where there is
 * no DNS API and the private networks of our infrastructure are not reachable, on IP literals.
 */
export interface OutboundRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** For the whole exchange, body included; past it the adapter throws `OutboundTimeout`. */
  timeoutMs: number;
  /** The response body is cut at this many bytes (the rest is not read). */
  maxResponseBytes: number;
  /** Whether an IP address (literal or resolved) may be connected to; a refusal throws `OutboundRefused`. */
  allowAddress(ip: string): boolean;
}

export interface OutboundResponse {
  status: number;
  /** The first `maxResponseBytes` of the body, as text. */
  body: string;
}

export interface OutboundHttp {
  /** The addresses a host name resolves to, or null where the runtime cannot resolve (Workers). */
  resolve(hostname: string): Promise<string[] | null>;
  /** One request; redirects are not followed (a 3xx is returned as is). */
  send(request: OutboundRequest): Promise<OutboundResponse>;
}

/** Everything a handler may use, built per request by the runtime's entry and read from the context. */
export interface Services {
  db: Database;
  kv: KV;
  queue: Queue;
  vectors: VectorStore;
  blobs: BlobStore;
  mail: Mailer;
  outbound: OutboundHttp;
  embeddings: Embeddings;
  models: Models;
  outbox?: DevOutbox;
  config: Config;
  /** Load shedding for chat answers where one process serves all traffic (the local runtime). */
  admission?: Admission;
  /** Where ingestion's computation runs (a worker thread on Node); in process when absent. */
  ingestOffload?: IngestOffload;
  /** Run work after the response (executionCtx.waitUntil on the edge, a tracked promise on Node). */
  waitUntil(promise: Promise<unknown>): void;
}
