/**
 * Unit benchmarks for the ingestion library (no database, no embeddings):
 *   - chunking throughput (MB/s) on ~20 MB of generated markdown, structure and fixed strategies
 *   - PDF text extraction (pages/s) on a generated 100-page PDF of ~400 words per page
 * Run: npx tsx scripts/bench-ingest-units.ts
 */
import { DEFAULT_CHUNKING, chunkDocument } from '../functions/core/ingest/chunk';
import { extractDocument } from '../functions/core/ingest/extract';
import { makePdf } from './fixtures/make-pdf';

const MB = 1024 * 1024;

const WORDS = ('customer account invoice refund policy shipping warranty plan team member ' +
  'dashboard report export integration webhook message channel assistant knowledge document ' +
  'la el de que factura reembolso envío garantía cuenta equipo informe mensaje canal').split(' ');

/** Deterministic markdown: headings, paragraphs, lists, tables, code; ~`megabytes` MB. */
function generateMarkdown(megabytes: number): string {
  let state = 42;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const words = (count: number) => Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const sentence = () => `${words(8 + Math.floor(random() * 14))}.`;
  const parts: string[] = [];
  let size = 0;
  let block = 0;
  while (size < megabytes * MB) {
    let text: string;
    const kind = block++ % 12;
    if (kind === 0) text = `## ${words(3)} ${block}`;
    else if (kind === 1) text = `### ${words(2)}`;
    else if (kind === 5) text = Array.from({ length: 4 }, () => `- ${sentence()}`).join('\n');
    else if (kind === 8) text = ['| Plan | Price | Notes |', '|---|---|---|', ...Array.from({ length: 6 }, (_, i) => `| P${i} | ${i * 10} | ${words(5)} |`)].join('\n');
    else if (kind === 10) text = '```ts\n' + Array.from({ length: 5 }, () => `const ${WORDS[Math.floor(random() * 10)]} = "${words(3)}";`).join('\n') + '\n```';
    else text = Array.from({ length: 3 + Math.floor(random() * 6) }, sentence).join(' ');
    parts.push(text);
    size += text.length + 2;
  }
  return parts.join('\n\n');
}

async function benchChunking(): Promise<void> {
  const markdown = generateMarkdown(20);
  const bytes = new TextEncoder().encode(markdown);
  const megabytes = bytes.byteLength / MB;

  let started = performance.now();
  const doc = await extractDocument({ bytes, type: 'md' });
  const extractSeconds = (performance.now() - started) / 1000;

  for (const settings of [DEFAULT_CHUNKING, { ...DEFAULT_CHUNKING, strategy: 'fixed' as const }]) {
    chunkDocument(doc, settings); // warm-up: JIT and string interning
    started = performance.now();
    const chunks = chunkDocument(doc, settings);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `chunking (${settings.strategy}, ${settings.chunkSize} tokens): ${(megabytes / seconds).toFixed(1)} MB/s ` +
        `(${megabytes.toFixed(1)} MB, ${doc.sections.length} sections -> ${chunks.length} chunks in ${(seconds * 1000).toFixed(0)} ms)`,
    );
  }
  console.log(`markdown extraction: ${(megabytes / extractSeconds).toFixed(1)} MB/s (${(extractSeconds * 1000).toFixed(0)} ms)`);
}

async function benchPdf(): Promise<void> {
  const pages = 100;
  const pdf = await makePdf(pages, { wordsPerPage: 400 });
  await extractDocument({ bytes: await makePdf(2), type: 'pdf' }); // warm-up: loads PDF.js once
  const started = performance.now();
  const doc = await extractDocument({ bytes: pdf, type: 'pdf' });
  const seconds = (performance.now() - started) / 1000;
  const words = doc.sections.reduce((sum, section) => sum + section.text.split(/\s+/).length, 0);
  console.log(
    `PDF text extraction: ${(pages / seconds).toFixed(0)} pages/s ` +
      `(${pages} pages, ${(pdf.byteLength / 1024).toFixed(0)} KB, ${words} words, ${doc.sections.length} sections in ${(seconds * 1000).toFixed(0)} ms)`,
  );
}

console.log(`node ${process.version}`);
await benchChunking();
await benchPdf();
