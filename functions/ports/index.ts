/**
 * Ports: the small interfaces every external system sits behind. Each has exactly two adapters,
 * `adapters/edge/*` (Workers: Neon, Upstash, QStash, Pinecone, R2, HTTP mail) and
 * `adapters/local/*` (Node: PGlite, in-process, files, dev outbox).
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from '../../db/schema';
import type { Config } from '../lib/config';
import type { Models } from '../core/models/registry';
import type { OutboundPolicy } from '../lib/network';
import type { JobInput, JobName } from '../core/jobs/catalog';
import type { OrgEvent, PublishOptions } from '../core/events/types';
import type { Admission } from '../core/chat/admission';
import type { IngestOffload } from '../core/ingest/prepare';
import type { StreamView } from '../core/events/views';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface RateLimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix epoch milliseconds when the window frees a slot. */
  reset: number;
}

export interface RateLimitCheck {
  key: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Each call is a network round trip at the edge (Upstash), where calls made in the same turn of
 * the event loop share one: start independent calls together (Promise.all) on hot paths.
 */
export interface KV {
  get<T = unknown>(key: string): Promise<T | null>;
  /** Several keys in one round trip (MGET), in order; null for a missing key. */
  getMany(keys: string[]): Promise<unknown[]>;
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  del(key: string): Promise<void>;
  /**
   * Adds 1 to the counter at `key` and returns the new value; the counter expires `ttlSeconds`
   * after its first hit (a month's usage counter outlives its month, then goes). `get` reads it.
   */
  incr(key: string, options: { ttlSeconds: number }): Promise<number>;
  /** Sliding-window limit: `limit` hits per `windowSeconds` for `key`. */
  rateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  /**
   * One hit against each of several limits, in one round trip, results in order. Every limit is
   * hit (a refusal by one does not spare the others), as if `rateLimit` were called for each.
   */
  rateLimitAll(checks: RateLimitCheck[]): Promise<RateLimitResult[]>;
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
  /** Removes these entries from the stream (erasing a person's data); returns how many were there. */
  streamDelete(key: string, ids: string[]): Promise<number>;
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

/** What a queue adapter does (QStash, the local runner): any name, any payload. */
export interface QueueTransport {
  /** Deliver `payload` as a signed POST to `/api/jobs/<name>`. */
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<{ messageId: string }>;
  ping(): Promise<void>;
}

/**
 * The queue handlers use: typed by job name from the catalog (core/jobs/catalog.ts), which also
 * gives each job its retries and idempotency key unless the call passes its own.
 */
export interface Queue {
  enqueue<N extends JobName>(name: N, payload: JobInput<N>, options?: EnqueueOptions): Promise<{ messageId: string }>;
  ping(): Promise<void>;
}

/**
 * A listener of organization events (the live stream, outgoing webhooks, and whatever comes
 * next), registered at startup in `functions/event-subscribers.ts`: the publisher imports none.
 * `inline` subscribers finish before publishing returns (an SSE client reconnecting right after
 * must find the event); `background` ones run after the response (services.waitUntil).
 */
export interface EventSubscriber {
  name: string;
  timing: 'inline' | 'background';
  deliver(services: Services, event: OrgEvent, options: PublishOptions): Promise<void>;
}

/**
 * Live event streams pushed to connected clients (SSE), in front of the durable log in KV
 * (`streamAppend`): a Durable Object per stream at the edge, an in-process hub locally. Whoever
 * appends to a stream's log hands the same entry to `notify`; `open` serves one client.
 */
export interface LiveEvents {
  /** An entry just appended to `key`'s log: write it to the stream's connected clients. */
  notify(key: string, entry: StreamEntry): Promise<void>;
  /** An SSE response: `ready`, what the log holds after `lastEventId`, then entries as they are notified. */
  open(request: LiveStreamRequest): Promise<Response>;
  /** Entries just deleted from `key`'s log: the stream stops replaying them from memory too. */
  forget(key: string, ids: string[]): Promise<void>;
}

export interface LiveStreamRequest {
  key: string;
  lastEventId?: string | null;
  /** Which projection of the events this client sees (core/events/views.ts). */
  view: StreamView;
  /** The response ends after this long; the client reconnects with its last id. */
  maxDurationMs: number;
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
  /**
   * Stores a stream without holding it whole (downloads of up to 100 MB). `size`, when known, lets
   * R2 take it in one request; otherwise it goes up in fixed-size parts. An erroring stream stores
   * nothing. Resolves with the bytes written.
   */
  putStream(key: string, stream: ReadableStream<Uint8Array>, options?: { contentType?: string; size?: number }): Promise<{ size: number }>;
  /** A blob as a stream (served to the inbox without reading it into memory). */
  getStream(key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number; contentType?: string } | null>;
  delete(key: string): Promise<void>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Sender, when not the deployment's MAIL_FROM (an email channel answers from its inbox address). */
  from?: string;
  replyTo?: string;
  /** Extra headers: threading (Message-ID, In-Reply-To, References) and Auto-Submitted. */
  headers?: Record<string, string>;
  /** Files sent with the mail (an agent's files in an email conversation). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
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
 * A webhook-style POST through the outbound port: one deadline for the whole exchange, the answer
 * cut to an excerpt, redirects returned as they are.
 */
export interface OutboundRequest {
  url: string;
  /** GET checks a credential (a provider's `/models`); POST delivers (webhooks). */
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** For the whole exchange, body included; past it the port throws `OutboundTimeout`. */
  timeoutMs: number;
  /** The response body is cut at this many bytes (the rest is not read). */
  maxResponseBytes: number;
}

export interface OutboundResponse {
  status: number;
  /** The first `maxResponseBytes` of the body, as text. */
  body: string;
}

export interface OutboundFetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  signal?: AbortSignal;
  /** One deadline for connecting and the answer's headers (and its body, read through `signal`). Default 30 s. */
  timeoutMs?: number;
  /** Redirects followed, each hop checked like the first; 0 (the default) returns a 3xx as it is. */
  maxRedirects?: number;
  /** The body stream errors with `OutboundTooLarge` past this many bytes. */
  maxBytes?: number;
}

/** A request whose answer is read whole, as text (a flow's API call); see `OutboundHttp.fetchText`. */
export interface OutboundTextInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** For the whole exchange, body included; past it the port throws `OutboundTimeout`. Default 30 s. */
  timeoutMs?: number;
  /** Past this many bytes of (decoded) body the port throws `OutboundTooLarge`; the rest is not read. */
  maxBytes: number;
}

export interface OutboundText {
  status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/**
 * The one way to reach an address a tenant can aim (URL import and crawl, provider base URLs,
 * webhooks, and whatever comes next). Every URL and every redirect hop is checked against one
 * policy (`lib/network.ts`); on Node every address DNS returns is checked at connect time and the
 * connection goes to the address checked, so DNS rebinding cannot slip past. On Workers, which
 * have no DNS API, the same checks run on the URL and IP literals, and the platform's own limits
 * do the rest (see `adapters/edge/outbound.ts`). A refusal throws `OutboundRefused`.
 */
export interface OutboundHttp {
  policy: OutboundPolicy;
  /** The addresses a host name resolves to, or null where the runtime cannot resolve (Workers). */
  resolve(hostname: string): Promise<string[] | null>;
  /** Why a URL may not be saved (its text, then every address DNS gives where the runtime can ask), or null. */
  check(url: string): Promise<string | null>;
  fetch(url: string, init?: OutboundFetchInit): Promise<Response>;
  /**
   * One exchange whose answer is small text, read whole: the same checks, deadline and size bound
   * as `fetch`, redirects never followed (a 3xx is returned as is). On Node it skips the fetch
   * machinery (WHATWG streams, a Response per call), a third of the CPU of `fetch` + `text()`.
   */
  fetchText(url: string, init: OutboundTextInit): Promise<OutboundText>;
  /** One POST; redirects are not followed (a 3xx is returned as is). */
  send(request: OutboundRequest): Promise<OutboundResponse>;
}

/**
 * Masks personal data (emails, phones, cards, IBANs) in texts, in order (core/privacy/redact.ts).
 * The phone-number metadata it needs is ~60 KiB gzipped, so the request worker does not bundle it:
 * at the edge it runs in the ingestion worker behind the INGEST binding, on Node in process.
 */
export interface Redactor {
  redact(texts: string[]): Promise<string[]>;
}

/** The single connection's recent activity, as the local runtime's statement gate sees it. */
export interface DatabasePulse {
  read(): {
    /**
     * `answering`: a statement completed moments ago, so the database answers (no need to queue a
     * probe behind the work); `stuck`: something has been running or waiting for the connection
     * and nothing completed for seconds; `quiet`: neither, a probe statement tells; `down`: the
     * database cannot answer any more (its worker thread died), `failure` says why.
     */
    state: 'answering' | 'stuck' | 'quiet' | 'down';
    failure?: string;
    /** Since the last statement (or transaction) completed. */
    sinceLastCompletionMs: number;
    /** How long the oldest statement has been running or waiting for the connection; 0 when none is. */
    pendingMs: number;
  };
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
  /**
   * Push for the live event streams; absent on an edge deployment without the Durable Object
   * binding, where the SSE routes poll the log instead (core/events/stream.ts).
   */
  live?: LiveEvents;
  /** Who hears published events, in order (see EventSubscriber). */
  eventSubscribers: readonly EventSubscriber[];
  /** Load shedding for chat answers where one process serves all traffic (the local runtime). */
  admission?: Admission;
  /**
   * Where the database is one in-process connection (the local runtime): whether statements are
   * completing, read without running one (see core/health.ts). Absent at the edge.
   */
  databasePulse?: DatabasePulse;
  /** Where ingestion's computation runs (a worker thread on Node); in process when absent. */
  ingestOffload?: IngestOffload;
  /**
   * Where Discord Gateway connections live (a Durable Object per integration at the edge, in
   * process on Node); absent where none can be held, and then only interactions reach the bot.
   */
  discordGateways?: DiscordGateways;
  /** Personal-data masking for organizations that turned redaction on; absent where nothing provides it. */
  redactor?: Redactor;
  /** Run work after the response (executionCtx.waitUntil on the edge, a tracked promise on Node). */
  waitUntil(promise: Promise<unknown>): void;
}

/** Opens (or re-opens) and closes one Discord integration's Gateway connection; both idempotent. */
export interface DiscordGateways {
  start(integrationId: string): Promise<void>;
  stop(integrationId: string): Promise<void>;
}
