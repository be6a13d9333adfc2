import { afterAll, describe, expect, it } from 'vitest';
import { makeDocx } from '../../../scripts/fixtures/make-docx';
import { makePdf } from '../../../scripts/fixtures/make-pdf';
import { createHashEmbedder } from '../../core/embeddings/builtin';
import { inProcessOffload, type PrepareInput } from '../../core/ingest/prepare';
import { ExtractionError } from '../../core/ingest/types';
import { createIngestWorkerPool } from './worker-pool';

const settings = { strategy: 'structure' as const, chunkSize: 120, chunkOverlap: 20 };
const encode = (text: string) => new TextEncoder().encode(text);

async function everything(prepared: Awaited<ReturnType<typeof inProcessOffload.prepare>>) {
  const { read, close, ...summary } = prepared;
  const chunks = [...(await read(0, 7)), ...(await read(7, prepared.chunkCount))];
  close();
  return { summary, chunks };
}

describe('ingestion worker pool', () => {
  const pool = createIngestWorkerPool({ size: 1 });
  afterAll(() => pool.close());

  it('produces the same chunks and embeddings as the in-process path', async () => {
    const csv = ['sku,product,price', ...Array.from({ length: 300 }, (_, i) => `${i},Widget ${i},${i / 10}`)].join('\n');
    const inputs: PrepareInput[] = [
      { bytes: await makePdf(6, { title: 'Manual' }), type: 'pdf', settings },
      { bytes: encode(csv), type: 'csv', settings },
      { bytes: makeDocx([{ heading: 'Returns' }, 'Thirty days to return anything.', { listItem: 'Keep the receipt' }], { styles: true }), type: 'docx', settings },
      { bytes: encode('<html><head><title>FAQ</title></head><body><h1>Shipping</h1><p>Two days.</p></body></html>'), type: 'html', settings, sourceUrl: 'https://shop.example.com/faq' },
    ];
    for (const input of inputs) {
      const here = await everything(await inProcessOffload.prepare(input));
      const there = await everything(await pool.prepare(input));
      expect(there.summary, input.type).toEqual(here.summary);
      expect(there.chunks, input.type).toEqual(here.chunks);
      expect(here.chunks.length, input.type).toBeGreaterThan(0);
    }
    const embedder = createHashEmbedder();
    const texts = ['¿Cuál es el plazo de devolución?', 'Shipping takes two days', ''];
    expect(await pool.embed(embedder, texts)).toEqual(await embedder.embed(texts));
  });

  it('reports a problem with the file as an ExtractionError, with its message', async () => {
    const error = await pool.prepare({ bytes: makeDocx([], { documentXml: new Uint8Array(60 * 1024 * 1024) }), type: 'docx', settings }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toBe('The file expands to more than 50 MB of text');
  });

  it('a worker that runs out of memory fails its call, and the next call gets a new worker', async () => {
    const small = createIngestWorkerPool({ size: 1, maxMemoryMb: 16 });
    try {
      const rows = Array.from({ length: 400_000 }, (_, i) => `${i},Product number ${i},${i % 97} units in store ${i % 13}`);
      const huge: PrepareInput = { bytes: encode(['id,name,stock', ...rows].join('\n')), type: 'csv', settings };
      const error = await small.prepare(huge).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ExtractionError);
      expect((error as Error).message).toMatch(/The ingestion worker stopped/);
      const after = await everything(await small.prepare({ bytes: encode('id,name\n1,Lamp'), type: 'csv', settings }));
      expect(after.chunks.map((c) => c.content)).toEqual(['id: 1; name: Lamp']);
    } finally {
      await small.close();
    }
  });
});
