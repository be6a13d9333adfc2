import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { ApiError } from '../../lib/errors';
import { createEmbeddings, EMBED_BATCH_SIZE } from './index';

const secrets = {
  JWT_SECRET: 'j'.repeat(32),
  ENCRYPTION_KEY: 'e'.repeat(32),
  QSTASH_CURRENT_SIGNING_KEY: 'c'.repeat(32),
  QSTASH_NEXT_SIGNING_KEY: 'n'.repeat(32),
};
const config = (env: Record<string, string> = {}) =>
  parseConfig({ runtime: 'local', APP_URL: 'http://localhost:8787', ...secrets, ...env });

/** Deterministic fake embedding: the text's length and char codes spread over `dim` values. */
function fakeEmbedding(text: string, dim: number): number[] {
  const v = new Array<number>(dim).fill(0);
  for (let i = 0; i < text.length; i++) v[(i * 7 + text.charCodeAt(i)) % dim] += 1;
  v[0] += text.length;
  return v;
}

interface Recorded {
  model: string;
  input: string[];
  authorization?: string;
}

/** A server speaking OpenAI's embeddings wire format, so the real SDK and provider are exercised. */
function startFakeOpenAI(behaviour: { failFirst?: number; status?: number; dim?: (model: string) => number }) {
  const calls: Recorded[] = [];
  let failuresLeft = behaviour.failFirst ?? 0;
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req));
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      res.writeHead(404).end();
      return;
    }
    calls.push({ model: body.model, input: body.input, authorization: req.headers.authorization });
    if (failuresLeft > 0) {
      failuresLeft--;
      // `retry-after-ms` (a header the SDK honours) replaces its back-off of seconds; the count is what is tested.
      res.writeHead(behaviour.status ?? 500, { 'content-type': 'application/json', 'retry-after-ms': '10' });
      res.end(JSON.stringify({ error: { message: 'temporarily unavailable', type: 'server_error' } }));
      return;
    }
    const dim = behaviour.dim?.(body.model) ?? (body.model === 'text-embedding-3-large' ? 3072 : 1536);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        model: body.model,
        data: (body.input as string[]).map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, dim) })),
        usage: { prompt_tokens: body.input.length, total_tokens: body.input.length },
      }),
    );
  });
  return new Promise<{ url: string; calls: Recorded[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, calls, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

describe('createEmbeddings', () => {
  it('offers only the built-in models without an OpenAI key, v2 by default', async () => {
    const embeddings = createEmbeddings(config());
    expect(embeddings.defaultModel).toBe('builtin-hash-v2-768');
    expect(embeddings.list()).toEqual([
      expect.objectContaining({ id: 'builtin-hash-v2-768', dimension: 768, available: true }),
      expect.objectContaining({ id: 'builtin-hash-384', dimension: 384, available: true }),
      expect.objectContaining({ id: 'openai:text-embedding-3-small', dimension: 1536, available: false }),
      expect.objectContaining({ id: 'openai:text-embedding-3-large', dimension: 3072, available: false }),
    ]);
    const [v] = await embeddings.get('builtin-hash-384').embed(['hola']);
    expect(v).toHaveLength(384);
    const [v2] = await embeddings.get('builtin-hash-v2-768').embed(['hola']);
    expect(v2).toHaveLength(768);
    expect(() => embeddings.get('openai:text-embedding-3-small')).toThrow(ApiError);
    try {
      embeddings.get('nope');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('bad_request');
      expect((error as ApiError).status).toBe(400);
    }
  });

  describe('OpenAI through a compatible server', () => {
    let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
    beforeAll(async () => {
      fake = await startFakeOpenAI({});
    });
    afterAll(() => fake?.close());

    it('defaults to text-embedding-3-small and embeds in batches, keeping order', async () => {
      const embeddings = createEmbeddings(config({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url }));
      expect(embeddings.defaultModel).toBe('openai:text-embedding-3-small');
      expect(embeddings.list().every((m) => m.available)).toBe(true);
      const embedder = embeddings.get('openai:text-embedding-3-small');
      expect(embedder).toMatchObject({ model: 'openai:text-embedding-3-small', dimension: 1536 });

      const texts = Array.from({ length: 2 * EMBED_BATCH_SIZE + 5 }, (_, i) => `texto número ${i}`);
      texts[3] = '';
      const before = fake.calls.length;
      const vectors = await embedder.embed(texts);
      const calls = fake.calls.slice(before);
      expect(calls.map((c) => c.input.length).sort((a, b) => b - a)).toEqual([EMBED_BATCH_SIZE, EMBED_BATCH_SIZE, 5]);
      expect(calls.every((c) => c.model === 'text-embedding-3-small' && c.authorization === 'Bearer sk-test')).toBe(true);
      expect(vectors).toHaveLength(texts.length);
      expect(vectors[150]).toEqual(fakeEmbedding(texts[150], 1536));
      expect(vectors[3]).toEqual(fakeEmbedding(' ', 1536));
    });

    it('uses text-embedding-3-large with its dimension', async () => {
      const embedder = createEmbeddings(config({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url })).get(
        'openai:text-embedding-3-large',
      );
      const [v] = await embedder.embed(['hello']);
      expect(v).toHaveLength(3072);
      expect(fake.calls.at(-1)?.model).toBe('text-embedding-3-large');
    });
  });

  it('retries a failing call a bounded number of times', async () => {
    const flaky = await startFakeOpenAI({ failFirst: 2 });
    try {
      const embedder = createEmbeddings(config({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: flaky.url })).get(
        'openai:text-embedding-3-small',
      );
      const [v] = await embedder.embed(['hola']);
      expect(v).toHaveLength(1536);
      expect(flaky.calls).toHaveLength(3);
    } finally {
      await flaky.close();
    }

    const down = await startFakeOpenAI({ failFirst: 100 });
    try {
      const embedder = createEmbeddings(config({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: down.url })).get(
        'openai:text-embedding-3-small',
      );
      await expect(embedder.embed(['hola'])).rejects.toThrow();
      expect(down.calls).toHaveLength(3);
    } finally {
      await down.close();
    }
  }, 20_000);

  it('refuses vectors of the wrong dimension from a compatible server', async () => {
    const wrong = await startFakeOpenAI({ dim: () => 768 });
    try {
      const embedder = createEmbeddings(config({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: wrong.url })).get(
        'openai:text-embedding-3-small',
      );
      await expect(embedder.embed(['hola'])).rejects.toThrow(/768 dimensions, expected 1536/);
    } finally {
      await wrong.close();
    }
  });
});
