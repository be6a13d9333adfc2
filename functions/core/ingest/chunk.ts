/**
 * Sections -> chunks, the units that are embedded, searched and cited. Pure and deterministic:
 * the same document and settings always give the same chunks, which is what lets a redelivered
 * ingestion job replace chunks by position without creating duplicates.
 */
import { extractPlainText, makeLocation } from './extract-text';
import type { Chunk, ChunkingSettings, ExtractedDocument, Section, SourceLocation } from './types';
import { countTokens, estimateTokens } from './tokens';

export { countTokens };

/**
 * Structure-aware chunks of 400 tokens: small enough that a chunk is about one thing (so its
 * embedding is specific and it ranks for the right questions), large enough to hold a full
 * answer with its surrounding context (a policy paragraph with its exceptions, a few table
 * rows). The 60-token overlap (15%) only applies to the fixed strategy, where cuts fall
 * mid-thought and the overlap carries the sentence across the cut.
 */
export const DEFAULT_CHUNKING: ChunkingSettings = { strategy: 'structure', chunkSize: 400, chunkOverlap: 60 };

/** Below this a chunk cannot hold a sentence; smaller settings are raised to it. */
const MIN_CHUNK_SIZE = 16;

/** What joining with this separator adds to the estimate: its characters, no words. */
function separatorTokens(separator: string): number {
  return separator.length / 8;
}

// ---------------------------------------------------------------------------------------------
// Entry point

export function chunkDocument(doc: ExtractedDocument, settings: ChunkingSettings): Chunk[] {
  const chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(settings.chunkSize));
  const sections = doc.sections.filter((section) => section.text.trim() !== '');
  const drafts =
    settings.strategy === 'fixed'
      ? fixedWindows(sections, chunkSize, clampOverlap(settings.chunkOverlap, chunkSize))
      : settings.strategy === 'qa'
        ? qaChunks(sections, chunkSize)
        : structureChunks(sections, chunkSize);
  return drafts.map((draft, position) => ({
    position,
    content: draft.content,
    tokenCount: countTokens(draft.content),
    location: draft.location,
  }));
}

interface Draft {
  content: string;
  location: SourceLocation;
}

/** An overlap of half a window or more would re-embed most of the text; cap it there. */
function clampOverlap(overlap: number, chunkSize: number): number {
  return Math.max(0, Math.min(Math.floor(overlap), Math.floor(chunkSize / 2)));
}

// ---------------------------------------------------------------------------------------------
// Structure strategy

const PATH_SEPARATOR = ' > ';
const PREFIX_SEPARATOR = '\n\n';
/** The heading prefix may take at most this share of a chunk; deeper headings are kept first. */
const MAX_PREFIX_SHARE = 0.25;

/**
 * Packs consecutive sections under the same heading path into chunks of at most chunkSize
 * tokens. A section never straddles two chunks: one that does not fit in the room left starts
 * the next chunk, and only a section larger than a whole chunk is cut (by sentences, then by
 * words), because a table row, list item, code block or Q&A pair cut in half answers nothing.
 */
function structureChunks(sections: Section[], chunkSize: number): Draft[] {
  const packer = new SectionPacker(chunkSize);
  let headingAwaitingBody: Section | undefined;
  for (const section of sections) {
    if (section.kind === 'heading') {
      if (headingAwaitingBody && !isAncestorHeading(headingAwaitingBody, section)) packer.addHeadingOnly(headingAwaitingBody);
      packer.close();
      headingAwaitingBody = section;
      continue;
    }
    headingAwaitingBody = undefined;
    packer.add(section);
  }
  if (headingAwaitingBody) packer.addHeadingOnly(headingAwaitingBody);
  return packer.finish();
}

function headingPathOf(section: Section): string[] {
  const path = section.location.headings ?? [];
  return section.kind === 'heading' && path.length === 0 ? [section.text] : path;
}

/** True when `heading` sits above `next`, so its text will appear in next's chunk prefix. */
function isAncestorHeading(heading: Section, next: Section): boolean {
  const parent = headingPathOf(heading);
  const child = headingPathOf(next);
  return child.length > parent.length && parent.every((text, index) => child[index] === text);
}

class SectionPacker {
  private readonly drafts: Draft[] = [];
  private open: { prefix: string; pathKey: string; parts: string[]; tokens: number; budget: number; location: SourceLocation; lastKind: Section['kind'] } | undefined;

  constructor(private readonly chunkSize: number) {}

  add(section: Section): void {
    const path = headingPathOf(section);
    // A new page starts a new chunk too, so a citation's page number is the page the text is on.
    const pathKey = `${section.location.page ?? ''}\u0001${path.join('\u0000')}`;
    if (this.open && this.open.pathKey !== pathKey) this.close();
    const prefix = headingPrefix(path, this.chunkSize);
    const budget = this.chunkSize - (prefix ? estimateTokens(prefix) + separatorTokens(PREFIX_SEPARATOR) : 0);
    for (const piece of splitToFit(section.text.trim(), section.kind, budget)) {
      const pieceTokens = estimateTokens(piece);
      const separator = this.open ? sectionSeparator(this.open.lastKind, section.kind) : '';
      if (this.open && this.open.tokens + separatorTokens(separator) + pieceTokens > this.open.budget) this.close();
      if (!this.open) {
        this.open = { prefix, pathKey, parts: [piece], tokens: pieceTokens, budget, location: section.location, lastKind: section.kind };
      } else {
        this.open.parts.push(separator, piece);
        this.open.tokens += separatorTokens(separator) + pieceTokens;
        this.open.lastKind = section.kind;
      }
    }
  }

  /** A heading with no text of its own under it still gets found: its path is the chunk. */
  addHeadingOnly(heading: Section): void {
    this.close();
    const prefix = headingPrefix(headingPathOf(heading), this.chunkSize);
    this.drafts.push({ content: prefix, location: makeLocation(heading.location) });
  }

  close(): void {
    if (!this.open) return;
    const body = this.open.parts.join('');
    const content = this.open.prefix ? `${this.open.prefix}${PREFIX_SEPARATOR}${body}` : body;
    this.drafts.push({ content, location: makeLocation(this.open.location) });
    this.open = undefined;
  }

  finish(): Draft[] {
    this.close();
    return this.drafts;
  }
}

/** Rows and items read as one list when they follow each other; other blocks get a blank line. */
function sectionSeparator(previous: Section['kind'], next: Section['kind']): string {
  const isLine = (kind: Section['kind']) => kind === 'list-item' || kind === 'table-row';
  return isLine(previous) && isLine(next) ? '\n' : '\n\n';
}

/**
 * "Pricing > Refunds": retrieval sees the context a chunk's text takes for granted. When the
 * path is too long for its share, the outermost headings go first (the nearest heading says
 * the most about the text), and a single huge heading is cut.
 */
function headingPrefix(path: string[], chunkSize: number): string {
  if (path.length === 0) return '';
  const maxTokens = chunkSize * MAX_PREFIX_SHARE;
  let kept = path;
  while (kept.length > 1 && estimateTokens(kept.join(PATH_SEPARATOR)) > maxTokens) kept = kept.slice(1);
  const prefix = kept.join(PATH_SEPARATOR);
  return estimateTokens(prefix) > maxTokens ? wordWindows(prefix, maxTokens)[0] : prefix;
}

// ---------------------------------------------------------------------------------------------
// Splitting a section that is larger than a chunk

/** The section whole when it fits; otherwise sentence-packed pieces (code: line-packed). */
function splitToFit(text: string, kind: Section['kind'], budget: number): string[] {
  if (estimateTokens(text) <= budget) return [text];
  const units = kind === 'code' ? text.split('\n') : splitSentences(text);
  return packUnits(units, kind === 'code' ? '\n' : ' ', budget);
}

/** Sentence ends: . ! ? (and their CJK forms) followed by space, or line breaks. */
function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?。！？])\s+|\n+/).filter((sentence) => sentence.trim() !== '');
}

function packUnits(units: string[], joiner: string, budget: number): string[] {
  const pieces: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  const flush = () => {
    if (current.length > 0) pieces.push(current.join(joiner));
    current = [];
    tokens = 0;
  };
  for (const unit of units) {
    const unitTokens = estimateTokens(unit);
    if (unitTokens > budget) {
      flush();
      pieces.push(...wordWindows(unit, budget));
      continue;
    }
    const added = current.length > 0 ? separatorTokens(joiner) + unitTokens : unitTokens;
    if (tokens + added > budget) flush();
    tokens += current.length > 0 ? separatorTokens(joiner) + unitTokens : unitTokens;
    current.push(unit);
  }
  flush();
  return pieces;
}

/** Consecutive words up to the budget each; a single word longer than that is cut by characters. */
function wordWindows(text: string, budget: number): string[] {
  const windows: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    for (const part of cutLongWord(word, budget)) {
      const added = estimateTokens(part) + (current.length > 0 ? separatorTokens(' ') : 0);
      if (current.length > 0 && tokens + added > budget) {
        windows.push(current.join(' '));
        current = [];
        tokens = 0;
      }
      tokens += current.length > 0 ? added : estimateTokens(part);
      current.push(part);
    }
  }
  if (current.length > 0) windows.push(current.join(' '));
  return windows;
}

/** One word of n chars estimates (n/4 + 4/3) / 2 tokens; the n that fills the budget. */
function maxCharsForOneWord(budget: number): number {
  return Math.max(1, Math.floor((2 * budget - 4 / 3) * 4));
}

/** A "word" of thousands of characters (base64, a URL list) is cut so windows stay in budget. */
function cutLongWord(word: string, budget: number): string[] {
  const maxChars = maxCharsForOneWord(budget);
  if (word.length <= maxChars) return [word];
  const parts: string[] = [];
  for (let start = 0; start < word.length; start += maxChars) parts.push(word.slice(start, start + maxChars));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Fixed strategy

/**
 * Windows of chunkSize tokens over the whole text, each starting `overlap` tokens before the
 * previous one ended. Structure is ignored on purpose: this is the predictable baseline.
 */
function fixedWindows(sections: Section[], chunkSize: number, overlap: number): Draft[] {
  const words = scanWords(sections, maxCharsForOneWord(chunkSize));
  const cost = (index: number) => words.costs[index];
  const space = separatorTokens(' ');
  const drafts: Draft[] = [];
  let start = 0;
  while (start < words.count) {
    let end = start + 1;
    let tokens = cost(start);
    while (end < words.count && tokens + space + cost(end) <= chunkSize) tokens += space + cost(end++);
    // The window's page is the page where it starts: that is where a reader should look.
    drafts.push({ content: windowText(sections, words, start, end), location: makeLocation(sections[words.section[start]].location) });
    if (end >= words.count) break;
    start = overlapStart(start, end, overlap, cost, space);
  }
  return drafts;
}

/** Word spans as offsets into their section's text: no string per word on multi-MB inputs. */
interface WordSpans {
  count: number;
  section: number[];
  start: number[];
  end: number[];
  costs: number[];
}

function scanWords(sections: Section[], maxWordChars: number): WordSpans {
  const words: WordSpans = { count: 0, section: [], start: [], end: [], costs: [] };
  const push = (sectionIndex: number, start: number, end: number) => {
    // A "word" longer than a window (base64, minified code) is cut so every window fits.
    for (let from = start; from < end; from += maxWordChars) {
      const to = Math.min(end, from + maxWordChars);
      words.section.push(sectionIndex);
      words.start.push(from);
      words.end.push(to);
      words.costs.push(((to - from) / 4 + 4 / 3) / 2);
      words.count++;
    }
  };
  sections.forEach((section, sectionIndex) => {
    const text = section.text;
    let wordStart = -1;
    for (let index = 0; index <= text.length; index++) {
      const code = index < text.length ? text.charCodeAt(index) : 32;
      const isSpace = code === 32 || (code >= 9 && code <= 13) || code === 0xa0;
      if (!isSpace && wordStart < 0) wordStart = index;
      else if (isSpace && wordStart >= 0) {
        push(sectionIndex, wordStart, index);
        wordStart = -1;
      }
    }
  });
  return words;
}

/** The words of a window joined by single spaces, sliced per section rather than per word. */
function windowText(sections: Section[], words: WordSpans, start: number, end: number): string {
  const parts: string[] = [];
  let runStart = start;
  for (let index = start + 1; index <= end; index++) {
    if (index < end && words.section[index] === words.section[runStart]) continue;
    const text = sections[words.section[runStart]].text;
    parts.push(text.slice(words.start[runStart], words.end[index - 1]).replace(/\s+/g, ' '));
    runStart = index;
  }
  return parts.join(' ');
}

/** Where the next window starts: as far back from `end` as the overlap allows, always forward. */
function overlapStart(start: number, end: number, overlap: number, cost: (index: number) => number, space: number): number {
  let next = end;
  let tokens = 0;
  while (next - 1 > start && tokens + cost(next - 1) + space <= overlap) tokens += cost(--next) + space;
  return next;
}

// ---------------------------------------------------------------------------------------------
// Q&A strategy

/** Every Q&A pair is one chunk; any other text in the document is chunked by structure. */
function qaChunks(sections: Section[], chunkSize: number): Draft[] {
  const drafts: Draft[] = [];
  let otherRun: Section[] = [];
  const flushOthers = () => {
    drafts.push(...structureChunks(otherRun, chunkSize));
    otherRun = [];
  };
  for (const section of sections) {
    if (section.kind !== 'qa') {
      otherRun.push(section);
      continue;
    }
    flushOthers();
    drafts.push(...qaPairChunks(section, chunkSize));
  }
  flushOthers();
  return drafts;
}

/** A pair too long for one chunk repeats its question on every piece of its answer. */
function qaPairChunks(section: Section, chunkSize: number): Draft[] {
  const text = section.text.trim();
  const location = makeLocation(section.location);
  if (estimateTokens(text) <= chunkSize) return [{ content: text, location }];
  const answerAt = text.indexOf('\nA: ');
  const question = answerAt > 0 ? text.slice(0, answerAt + 4) : '';
  const questionTokens = estimateTokens(question);
  if (answerAt < 0 || questionTokens > chunkSize / 2) {
    return splitToFit(text, 'paragraph', chunkSize).map((content) => ({ content, location }));
  }
  return splitToFit(text.slice(answerAt + 4), 'paragraph', chunkSize - questionTokens).map((piece) => ({
    content: question + piece,
    location,
  }));
}

// ---------------------------------------------------------------------------------------------
// Sources without a file

/** Raw text typed or pasted by a user: paragraphs at blank lines, like a .txt upload. */
export function textSections(text: string): ExtractedDocument {
  return extractPlainText(text);
}

/** Question-and-answer pairs, one `qa` section each ("Q: ...\nA: ..."); empty pairs are skipped. */
export function qaSections(pairs: Array<{ question: string; answer: string }>): ExtractedDocument {
  const sections = pairs
    .map((pair) => ({ question: pair.question.trim(), answer: pair.answer.trim() }))
    .filter((pair) => pair.question !== '' && pair.answer !== '')
    .map((pair): Section => ({ kind: 'qa', text: `Q: ${pair.question}\nA: ${pair.answer}`, location: {} }));
  return { sections };
}
