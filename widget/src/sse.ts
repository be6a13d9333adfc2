export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * An incremental parser for text/event-stream (WHATWG HTML §9.2): feed it decoded text in
 * chunks split anywhere, including between the CR and LF of one line ending.
 */
export function createSseParser(onEvent: (e: SseEvent) => void) {
  let buf = '';
  let data: string[] = [];
  let event = '';
  let lastId = '';
  let first = true;

  const line = (l: string) => {
    if (l === '') {
      if (data.length) onEvent({ event: event || 'message', data: data.join('\n'), id: lastId });
      data = [];
      event = '';
      return;
    }
    if (l[0] === ':') return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
  };

  return {
    push(chunk: string, end = false) {
      buf += chunk;
      if (first && buf) {
        if (buf[0] === '\uFEFF') buf = buf.slice(1);
        first = false;
      }
      let start = 0;
      for (let i = 0; i < buf.length; i++) {
        const c = buf[i];
        if (c !== '\n' && c !== '\r') continue;
        // A CR at the very end may be the first half of CRLF: wait for the next chunk.
        if (c === '\r' && i === buf.length - 1 && !end) break;
        line(buf.slice(start, i));
        if (c === '\r' && buf[i + 1] === '\n') i++;
        start = i + 1;
      }
      buf = buf.slice(start);
    },
    get lastEventId() {
      return lastId;
    },
  };
}

/** Reads a fetch Response body as SSE until it ends; a half-received last event is dropped, as the spec says. */
export async function readSse(res: Response, onEvent: (e: SseEvent) => void): Promise<string> {
  const parser = createSseParser(onEvent);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.push(decoder.decode(value, { stream: true }));
  }
  parser.push(decoder.decode(), true);
  return parser.lastEventId;
}
