import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING, chunkDocument, countTokens, qaSections, textSections } from './chunk';
import type { ChunkingSettings, ExtractedDocument, Section } from './types';

const structure = (chunkSize: number): ChunkingSettings => ({ strategy: 'structure', chunkSize, chunkOverlap: 0 });
const section = (kind: Section['kind'], text: string, headings?: string[], page?: number): Section => ({
  kind,
  text,
  location: { ...(headings ? { headings } : {}), ...(page ? { page } : {}) },
});
const sentence = (n: number) => `Sentence number ${n} explains one detail of the refund policy clearly.`;
const paragraphOf = (from: number, count: number) => Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

describe('countTokens', () => {
  it('is close to real tokenizer counts for ordinary prose', () => {
    // "The quick brown fox jumps over the lazy dog." is 10 tokens for cl100k/o200k.
    expect(countTokens('The quick brown fox jumps over the lazy dog.')).toBeGreaterThanOrEqual(9);
    expect(countTokens('The quick brown fox jumps over the lazy dog.')).toBeLessThanOrEqual(12);
    expect(countTokens('')).toBe(0);
    expect(countTokens('   \n ')).toBe(1);
    const long = 'word '.repeat(1000);
    expect(countTokens(long)).toBeGreaterThan(900);
    expect(countTokens(long)).toBeLessThan(1300);
  });

  // Its speed on megabytes is measured by npm run bench:ingest (chunking MB/s), not timed here.
  it('counts megabytes of text in proportion to their words', () => {
    const text = paragraphOf(0, 80_000); // ~5.6 MB
    const words = text.split(/\s+/).filter(Boolean).length;
    const tokens = countTokens(text);
    expect(tokens).toBeGreaterThan(words * 0.9);
    expect(tokens).toBeLessThan(words * 2);
  });
});

describe('structure strategy', () => {
  const doc: ExtractedDocument = {
    sections: [
      section('heading', 'Pricing', ['Pricing']),
      section('paragraph', 'Plans are billed monthly.', ['Pricing']),
      section('heading', 'Refunds', ['Pricing', 'Refunds']),
      section('paragraph', paragraphOf(0, 5), ['Pricing', 'Refunds']),
      ...Array.from({ length: 30 }, (_, i) => section('table-row', `Plan: P${i}; Price: ${i * 10} USD; Seats: ${i + 1}`, ['Pricing', 'Refunds'])),
      section('list-item', 'Keep the receipt', ['Pricing', 'Refunds']),
      section('paragraph', paragraphOf(100, 60), ['Pricing', 'Refunds']), // larger than a chunk
      section('heading', 'Support', ['Support']),
      section('code', 'line one\nline two', ['Support']),
    ],
  };
  const chunks = chunkDocument(doc, structure(120));

  it('keeps every chunk within the size and numbers positions 0..n-1', () => {
    chunks.forEach((chunk, index) => {
      expect(chunk.position).toBe(index);
      expect(chunk.tokenCount, chunk.content).toBeLessThanOrEqual(120);
      expect(chunk.tokenCount).toBe(countTokens(chunk.content));
    });
  });

  it('starts a chunk at every heading and prefixes its heading path', () => {
    expect(chunks[0].content).toBe('Pricing\n\nPlans are billed monthly.');
    expect(chunks[0].location).toEqual({ headings: ['Pricing'] });
    expect(chunks.slice(1, -1).every((chunk) => chunk.content.startsWith('Pricing > Refunds\n\n'))).toBe(true);
    expect(chunks.at(-1)!.content).toBe('Support\n\nline one\nline two');
  });

  it('never splits a table row or list item, and packs rows one per line', () => {
    for (let i = 0; i < 30; i++) {
      const row = `Plan: P${i}; Price: ${i * 10} USD; Seats: ${i + 1}`;
      expect(chunks.filter((chunk) => chunk.content.split('\n').includes(row))).toHaveLength(1);
    }
    expect(chunks.some((chunk) => chunk.content.includes('Plan: P1; Price: 10 USD; Seats: 2\nPlan: P2;'))).toBe(true);
    expect(chunks.filter((chunk) => chunk.content.includes('Keep the receipt'))).toHaveLength(1);
  });

  it('splits only an oversized section, at sentence ends, losing nothing', () => {
    const pieces = chunks.filter((chunk) => /Sentence number 1[0-5]\d /.test(chunk.content));
    expect(pieces.length).toBeGreaterThan(2);
    pieces.forEach((piece) => expect(piece.content).toMatch(/policy clearly\.$/));
    const body = chunks.map((chunk) => chunk.content).join(' ');
    for (let n = 100; n < 160; n++) expect(body).toContain(sentence(n));
    // The 5-sentence paragraph fits in a chunk, so it is never cut.
    expect(chunks.some((chunk) => chunk.content.includes(paragraphOf(0, 5)))).toBe(true);
  });

  it('cuts a single section larger than a chunk by words when it has no sentence ends', () => {
    const row = Array.from({ length: 400 }, (_, i) => `cell${i}`).join(' ');
    const result = chunkDocument({ sections: [section('table-row', row)] }, structure(50));
    expect(result.length).toBeGreaterThan(5);
    result.forEach((chunk) => expect(chunk.tokenCount).toBeLessThanOrEqual(50));
    expect(result.map((chunk) => chunk.content).join(' ')).toBe(row);
  });

  it('keeps a heading that has no text under it as its own chunk', () => {
    const result = chunkDocument(
      { sections: [section('heading', 'FAQ', ['FAQ']), section('heading', 'Contact', ['Contact']), section('paragraph', 'Call us.', ['Contact'])] },
      DEFAULT_CHUNKING,
    );
    expect(result.map((chunk) => chunk.content)).toEqual(['FAQ', 'Contact\n\nCall us.']);
  });

  it('starts a new chunk on a new page, so each chunk cites the page its text is on', () => {
    const result = chunkDocument(
      {
        sections: [
          section('paragraph', 'On page two.', undefined, 2),
          section('paragraph', 'Still page two.', undefined, 2),
          section('paragraph', 'On page three.', undefined, 3),
        ],
      },
      DEFAULT_CHUNKING,
    );
    expect(result.map((c) => [c.content, c.location.page])).toEqual([
      ['On page two.\n\nStill page two.', 2],
      ['On page three.', 3],
    ]);
  });

  it('is deterministic', () => {
    expect(chunkDocument(doc, structure(120))).toEqual(chunks);
    expect(JSON.stringify(chunkDocument(doc, DEFAULT_CHUNKING))).toBe(JSON.stringify(chunkDocument(doc, DEFAULT_CHUNKING)));
  });

  it('ignores empty sections and returns nothing for an empty document', () => {
    expect(chunkDocument({ sections: [] }, DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument({ sections: [section('paragraph', '  ')] }, DEFAULT_CHUNKING)).toEqual([]);
  });
});

describe('fixed strategy', () => {
  const words = Array.from({ length: 1000 }, (_, i) => `w${i}`);
  const doc: ExtractedDocument = {
    sections: [
      section('paragraph', words.slice(0, 500).join(' '), undefined, 1),
      section('paragraph', words.slice(500).join(' '), undefined, 2),
    ],
  };
  const chunks = chunkDocument(doc, { strategy: 'fixed', chunkSize: 100, chunkOverlap: 20 });

  it('covers the text with windows that overlap', () => {
    chunks.forEach((chunk) => expect(chunk.tokenCount).toBeLessThanOrEqual(100));
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1].content.split(' ');
      const current = chunks[i].content.split(' ');
      const overlap = previous.slice(previous.indexOf(current[0]));
      expect(overlap.length, `overlap between ${i - 1} and ${i}`).toBeGreaterThan(5);
      expect(current.slice(0, overlap.length)).toEqual(overlap);
      expect(countTokens(overlap.join(' '))).toBeLessThanOrEqual(20);
    }
    const covered = new Set(chunks.flatMap((chunk) => chunk.content.split(' ')));
    expect(covered.size).toBe(1000);
  });

  it('keeps the page where each window starts', () => {
    const startsOnPageTwo = chunks.find((chunk) => Number(chunk.content.split(' ')[0].slice(1)) >= 500)!;
    expect(startsOnPageTwo.location.page).toBe(2);
    expect(chunks[0].location.page).toBe(1);
  });

  it('cuts a single word longer than a window', () => {
    const result = chunkDocument({ sections: [section('paragraph', `start ${'x'.repeat(5000)} end`)] }, { strategy: 'fixed', chunkSize: 50, chunkOverlap: 10 });
    result.forEach((chunk) => expect(chunk.tokenCount).toBeLessThanOrEqual(50));
    expect(result[0].content.startsWith('start')).toBe(true);
    expect(result.at(-1)!.content.endsWith('x end')).toBe(true);
    expect(result.length).toBeGreaterThan(10);
  });

  it('caps an overlap as large as the window instead of looping', () => {
    const result = chunkDocument(doc, { strategy: 'fixed', chunkSize: 100, chunkOverlap: 500 });
    expect(result.length).toBeLessThan(40);
  });
});

describe('qa strategy and helpers', () => {
  it('makes one chunk per pair and chunks other text by structure', () => {
    const qa = qaSections([
      { question: 'How long do refunds take?', answer: 'Five business days.' },
      { question: '  ', answer: 'skipped' },
      { question: 'Do you ship abroad?', answer: 'Yes, to 40 countries.' },
    ]);
    const doc: ExtractedDocument = { sections: [...qa.sections, section('paragraph', 'Extra note.')] };
    const chunks = chunkDocument(doc, { strategy: 'qa', chunkSize: 400, chunkOverlap: 0 });
    expect(chunks.map((chunk) => chunk.content)).toEqual([
      'Q: How long do refunds take?\nA: Five business days.',
      'Q: Do you ship abroad?\nA: Yes, to 40 countries.',
      'Extra note.',
    ]);
    expect(chunks.map((chunk) => chunk.position)).toEqual([0, 1, 2]);
  });

  it('repeats the question on every piece of an answer too long for one chunk', () => {
    const doc = qaSections([{ question: 'What is covered?', answer: paragraphOf(0, 40) }]);
    const chunks = chunkDocument(doc, { strategy: 'qa', chunkSize: 100, chunkOverlap: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    chunks.forEach((chunk) => {
      expect(chunk.content.startsWith('Q: What is covered?\nA: ')).toBe(true);
      expect(chunk.tokenCount).toBeLessThanOrEqual(100);
    });
  });

  it('turns raw text into paragraphs', () => {
    expect(textSections('One.\n\nTwo\nlines.').sections.map((s) => s.text)).toEqual(['One.', 'Two\nlines.']);
  });
});
