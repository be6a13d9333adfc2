import { describe, expect, it } from 'vitest';
import { createSseParser, readSse, type SseEvent } from './sse';

const STREAM =
  '\uFEFF: keep-alive comment\r\n' +
  'event: message\r\ndata: {"id":"u1","role":"user","content":"¿Hola?"}\r\n\r\n' +
  'event: token\ndata: {"text":"Hola ñandú 🦩"}\n\n' +
  'event: token\rdata: {"text":" **mundo**"}\r\r' +
  'id: 7\nevent: sources\ndata: {"sources":\ndata: []}\n\n' +
  'data:no-space\n\n' +
  'event: done\ndata: {"message":null}\n\n' +
  'event: ignored-without-data\n\n' +
  'data: half an event at EOF';

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"id":"u1","role":"user","content":"¿Hola?"}', id: '' },
  { event: 'token', data: '{"text":"Hola ñandú 🦩"}', id: '' },
  { event: 'token', data: '{"text":" **mundo**"}', id: '' },
  { event: 'sources', data: '{"sources":\n[]}', id: '7' },
  { event: 'message', data: 'no-space', id: '7' },
  { event: 'done', data: '{"message":null}', id: '7' },
];

function parseChunks(chunks: string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((e) => out.push(e));
  chunks.forEach((c, i) => p.push(c, i === chunks.length - 1));
  return out;
}

function streamOf(chunks: Uint8Array[]): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(ctl) {
        chunks.forEach((c) => ctl.enqueue(c));
        ctl.close();
      },
    }),
  );
}

describe('SSE parser', () => {
  it('parses a whole stream (LF, CR and CRLF line endings, comments, ids, multi-line data)', () => {
    expect(parseChunks([STREAM, ''])).toEqual(EXPECTED);
  });

  it('gives the same events when the text is split at any position', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parseChunks([STREAM.slice(0, i), STREAM.slice(i), '']), `split at ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events one character at a time', () => {
    expect(parseChunks([...STREAM, ''])).toEqual(EXPECTED);
  });

  it('decodes bytes split anywhere, inside multi-byte characters too', async () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let i = 0; i <= bytes.length; i += 1) {
      for (const j of [i, Math.min(bytes.length, i + 1), Math.min(bytes.length, i + 3)]) {
        const out: SseEvent[] = [];
        const lastId = await readSse(streamOf([bytes.slice(0, i), bytes.slice(i, j), bytes.slice(j)]), (e) => out.push(e));
        expect(out, `split at ${i}/${j}`).toEqual(EXPECTED);
        expect(lastId).toBe('7');
      }
    }
  });

  it('keeps a CR that ends a chunk as a line end when the stream ends there', () => {
    expect(parseChunks(['data: x\r', '\r', ''])).toEqual([{ event: 'message', data: 'x', id: '' }]);
    expect(parseChunks(['data: x\r\r'])).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });
});
