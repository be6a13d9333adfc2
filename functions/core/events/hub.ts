import type { StreamEntry } from '../../ports';
import type { OrgEvent } from './types';

/**
 * Push fan-out of one event stream to its connected SSE clients. The durable log (a Redis stream
 * at the edge, the in-process stream locally) stays the record: publishers append to it and then
 * hand the same entry to `publish`, which writes it to every open client at once. Nobody polls.
 *
 * A client connecting with `Last-Event-ID` first gets what it missed, then live entries. What it
 * missed comes from the hub's own recent entries when they cover the gap (a reconnect after a
 * short drop costs no log read), otherwise from the log. Entries published while a client is
 * catching up are queued for it and sent after the replay, each id once.
 *
 * One hub serves one stream: a Durable Object per organization / conversation at the edge
 * (adapters/edge/event-stream-object.ts), one per stream key in the local runtime.
 */
export interface StreamLog {
  /** Entries strictly after `afterId`, oldest first, at most `count`. */
  read(afterId: string, count: number): Promise<StreamEntry[]>;
  /** Id of the newest entry, `0-0` when empty. */
  lastId(): Promise<string>;
}

/** What one client sees of a stored event: `null` skips it. */
export type Projection = (event: OrgEvent) => { event: string; data: unknown } | null;

export interface OpenOptions {
  lastEventId?: string | null;
  project: Projection;
  /** The response ends after this long; the client reconnects with its last id. */
  maxDurationMs: number;
}

export interface HubOptions {
  /** Recent entries kept in memory to serve short reconnects without reading the log. */
  keep?: number;
  heartbeatMs?: number;
  /** A client this many bytes behind (not reading) is dropped; it reconnects and replays. */
  maxBufferedBytes?: number;
  /** Called when the last client leaves (the local runtime forgets idle hubs). */
  onEmpty?: () => void;
}

const REPLAY_BATCH = 100;
/** A log read pages at most this many batches (the org stream keeps ~2,000 entries). */
const MAX_REPLAY_BATCHES = 25;
/** EventSource's reconnect delay, sent with `ready`. */
const RETRY_MS = 2000;

interface Client {
  controller: ReadableStreamDefaultController<Uint8Array>;
  project: Projection;
  /** Live entries that arrived during the client's catch-up; null once live. */
  queued: StreamEntry[] | null;
  /** Ids already written, during catch-up only (dedupes the replay against the queue). */
  sent: Set<string> | null;
  timer?: ReturnType<typeof setTimeout>;
  closed: boolean;
}

const encoder = new TextEncoder();

export class StreamHub {
  private readonly clients = new Set<Client>();
  /** Recent entries, ascending by id. */
  private recent: StreamEntry[] = [];
  /**
   * Every log entry after this id is in `recent` (or on its way through `publish`); null until
   * the hub has looked at the log once, so a fresh hub never claims to know what it missed.
   */
  private coveredAfter: string | null = null;
  private heartbeat?: ReturnType<typeof setInterval>;
  private locating?: Promise<string>;
  private readonly replays = new Map<string, Promise<StreamEntry[]>>();
  private readonly keep: number;
  private readonly heartbeatMs: number;
  private readonly maxBufferedBytes: number;

  constructor(
    private readonly log: StreamLog,
    private readonly options: HubOptions = {},
  ) {
    this.keep = options.keep ?? 200;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1_000_000;
  }

  get clientCount() {
    return this.clients.size;
  }

  /** An entry just appended to the log: remember it and write it to every client. */
  publish(entry: StreamEntry) {
    this.remember(entry);
    for (const client of this.clients) {
      if (client.queued) client.queued.push(entry);
      else this.write(client, entry);
    }
  }

  /** An SSE response for one client: `ready`, what it missed after `lastEventId`, then live entries. */
  open(options: OpenOptions): Response {
    let client!: Client;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = { controller, project: options.project, queued: [], sent: new Set(), closed: false };
          this.clients.add(client);
          this.startHeartbeat();
          client.timer = setTimeout(() => this.drop(client, true), options.maxDurationMs);
        },
        cancel: () => this.drop(client, false),
      },
      // Measured in bytes, so `desiredSize` tells how far behind a client is.
      { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    void this.catchUp(client, validId(options.lastEventId)).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'error', message: 'event stream replay failed', error: (error as Error).message }));
      this.drop(client, true);
    });
    return new Response(body, {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
    });
  }

  /** Entries erased from the log: replays from memory leave them out too (connected clients already had them). */
  forget(ids: string[]) {
    const gone = new Set(ids);
    this.recent = this.recent.filter((entry) => !gone.has(entry.id));
  }

  /** Ends every client's response (shutdown). */
  closeAll() {
    for (const client of [...this.clients]) this.drop(client, true);
  }

  private async catchUp(client: Client, after: string | null) {
    const missed = after === null ? [] : await this.missedAfter(after);
    const from = after ?? (await this.newestId());
    if (client.closed) return;
    // Tells the client where it stands even when nothing happens, so a reconnect resumes exactly.
    this.send(client, `event: ready\nid: ${from}\nretry: ${RETRY_MS}\ndata: ${JSON.stringify({ lastEventId: from })}\n\n`);
    for (const entry of missed) this.write(client, entry);
    const queued = client.queued ?? [];
    client.queued = null;
    for (const entry of queued) {
      if (compareIds(entry.id, from) <= 0) continue;
      this.write(client, entry);
    }
    client.sent = null;
  }

  /** Entries after `after`: from memory when it covers the gap, else from the log. */
  private async missedAfter(after: string): Promise<StreamEntry[]> {
    if (this.coveredAfter !== null && compareIds(after, this.coveredAfter) >= 0) {
      return this.recent.filter((entry) => compareIds(entry.id, after) > 0);
    }
    // A reconnect storm (a deploy, a network blip) brings many clients with the same id: one read.
    let reading = this.replays.get(after);
    if (!reading) {
      reading = this.readLogAfter(after).finally(() => this.replays.delete(after));
      this.replays.set(after, reading);
    }
    return reading;
  }

  private async readLogAfter(after: string): Promise<StreamEntry[]> {
    const entries: StreamEntry[] = [];
    let cursor = after;
    for (let batch = 0; batch < MAX_REPLAY_BATCHES; batch++) {
      const page = await this.log.read(cursor, REPLAY_BATCH);
      entries.push(...page);
      if (page.length < REPLAY_BATCH) {
        // The log was read to its end: from here on, what arrives is pushed.
        this.cover(page.at(-1)?.id ?? cursor);
        break;
      }
      cursor = page.at(-1)!.id;
    }
    return entries;
  }

  private async newestId(): Promise<string> {
    if (this.coveredAfter === null) {
      // Clients connecting together to a fresh hub share one log read.
      this.locating ??= this.log.lastId().finally(() => (this.locating = undefined));
      this.cover(await this.locating);
    }
    return this.recent.at(-1)?.id ?? this.coveredAfter!;
  }

  /** The log holds nothing after `id` that the hub has not been handed (or will be). */
  private cover(id: string) {
    if (this.coveredAfter !== null && compareIds(id, this.coveredAfter) <= 0) return;
    this.coveredAfter = id;
    this.recent = this.recent.filter((entry) => compareIds(entry.id, id) > 0);
  }

  private remember(entry: StreamEntry) {
    if (this.coveredAfter !== null && compareIds(entry.id, this.coveredAfter) <= 0) return;
    // Publishers race: an entry may arrive after a newer one, so insert in id order.
    let at = this.recent.length;
    while (at > 0 && compareIds(this.recent[at - 1]!.id, entry.id) > 0) at--;
    if (this.recent[at - 1]?.id === entry.id) return;
    this.recent.splice(at, 0, entry);
    if (this.recent.length > this.keep) {
      const dropped = this.recent.splice(0, this.recent.length - this.keep);
      if (this.coveredAfter !== null) this.coveredAfter = dropped.at(-1)!.id;
    }
  }

  private write(client: Client, entry: StreamEntry) {
    if (client.sent) {
      if (client.sent.has(entry.id)) return;
      client.sent.add(entry.id);
    }
    const projected = projectEntry(entry, client.project);
    if (!projected) return;
    this.send(client, `id: ${entry.id}\nevent: ${projected.event}\ndata: ${JSON.stringify(projected.data)}\n\n`);
  }

  private send(client: Client, text: string) {
    if (client.closed) return;
    // A client that stopped reading would hold its whole backlog in memory: drop it instead.
    if ((client.controller.desiredSize ?? 0) < -this.maxBufferedBytes) return this.drop(client, true);
    try {
      client.controller.enqueue(encoder.encode(text));
    } catch {
      this.drop(client, false);
    }
  }

  private drop(client: Client | undefined, close: boolean) {
    if (!client || client.closed) return;
    client.closed = true;
    clearTimeout(client.timer);
    this.clients.delete(client);
    if (close) {
      try {
        client.controller.close();
      } catch {
        // Already cancelled by the other side.
      }
    }
    if (this.clients.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.options.onEmpty?.();
    }
  }

  private startHeartbeat() {
    if (this.heartbeat) return;
    // One timer for all clients: a comment line keeps proxies from closing a quiet stream.
    this.heartbeat = setInterval(() => {
      for (const client of [...this.clients]) if (!client.queued) this.send(client, ': keep-alive\n\n');
    }, this.heartbeatMs);
  }
}

function projectEntry(entry: StreamEntry, project: Projection) {
  try {
    return project(JSON.parse(entry.data) as OrgEvent);
  } catch {
    return null;
  }
}

export function validId(id: string | null | undefined) {
  return id && /^\d+-\d+$/.test(id.trim()) ? id.trim() : null;
}

/** Stream ids (`<ms>-<seq>`) in order; malformed ones sort first. */
export function compareIds(a: string, b: string) {
  const [am, as] = splitId(a);
  const [bm, bs] = splitId(b);
  return am - bm || as - bs;
}

function splitId(id: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(id);
  return match ? [Number(match[1]), Number(match[2] ?? 0)] : [0, 0];
}
