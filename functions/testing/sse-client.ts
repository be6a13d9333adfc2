import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';

/**
 * A test client for live event streams: connects with fetch (so it can send Authorization and
 * Last-Event-ID), collects events as they arrive, and waits for the one a test expects. Parsing
 * is `eventsource-parser`'s; the widget keeps its own small parser (widget/src/sse.ts) because
 * the library would push widget.js over its size budget.
 */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export interface SseClient {
  events: SseEvent[];
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
  status: number;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  if (res.ok && res.body) {
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          events.push(toSseEvent(value));
          notify();
        }
      } catch {
        // Aborted by close().
      }
    })();
  }
  return {
    events,
    status: res.status,
    close: () => controller.abort(),
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Data that is JSON is handed over parsed (every event the API sends), anything else as text. */
function toSseEvent(message: EventSourceMessage): SseEvent {
  let data: unknown = message.data;
  try {
    data = JSON.parse(message.data);
  } catch {
    // not JSON
  }
  return { id: message.id, event: message.event ?? 'message', data };
}

/** Parses a whole text/event-stream body (a chat answer read to its end) into events. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (message) => events.push(toSseEvent(message)) });
  parser.feed(text);
  // A body that ends without the blank line still ends its last event here.
  parser.feed('\n\n');
  return events;
}
