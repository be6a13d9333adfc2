import type { MessageSource } from '../../../db/schema';
import type { SearchHit } from '../retrieval/search';

/**
 * What an answer's sources say to a visitor: a human title (the document's own title or heading,
 * never "tienda-flor-faq.docx"), the section, and a link to the spot when the document is public
 * (the page with its heading anchor, a PDF's `#page=N`). Every retrieved passage is stored (the
 * team sees what the bot read); `cited` marks the ones the answer used, the only ones a visitor sees.
 */
export type StoredSource = MessageSource & { page?: number; section?: string; cited?: boolean };

const FILE_EXTENSION = /\.(pdf|docx?|md|markdown|txt|html?|csv|json)$/i;
const FAQ_WORD = /(^|[\s_-])(faqs?|preguntas[\s_-]frecuentes)($|[\s_-])/i;
const FAQ_TITLE = { es: 'Preguntas frecuentes', en: 'Frequently asked questions' };

const isUrl = (text: string) => /^https?:\/\//i.test(text);
const isQuestion = (text: string) => /\?\s*$/.test(text) || text.trim().startsWith('¿');

/** Last resort for a name that is a file name or a URL: "tienda-flor-faq.docx" -> "Preguntas frecuentes". */
export function cleanDocumentName(name: string, language: 'es' | 'en'): string {
  let base = name.trim();
  if (isUrl(base)) {
    try {
      const url = new URL(base);
      base = url.pathname.split('/').filter(Boolean).pop() ?? url.hostname;
    } catch {
      // Not a parseable URL after all: clean it as text.
    }
  }
  base = base.replace(FILE_EXTENSION, '');
  if (FAQ_WORD.test(base)) return FAQ_TITLE[language];
  const words = base.replace(/[_\-.]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : name;
}

export function sourceTitle(hit: Pick<SearchHit, 'documentName' | 'location'>, language: 'es' | 'en'): string {
  const name = hit.documentName.trim();
  if (name && !FILE_EXTENSION.test(name) && !isUrl(name)) return name;
  const heading = hit.location.headings?.[0];
  if (heading && !isQuestion(heading)) return heading;
  return cleanDocumentName(name, language);
}

/** A public http(s) address of the passage's spot, or nothing. */
export function sourceLink(hit: Pick<SearchHit, 'location' | 'sourceUrl'>): string | undefined {
  const url = hit.location.url ?? hit.sourceUrl ?? undefined;
  if (!url || !isUrl(url)) return undefined;
  if (hit.location.page && !url.includes('#')) return `${url}#page=${hit.location.page}`;
  return url;
}

/**
 * The retrieved passages as stored sources, in retrieval order (so a model's [n] still points at
 * the nth). With `cited` (indexes into `hits`), each is marked used or not.
 */
export function sourcesOf(hits: SearchHit[], language: 'es' | 'en', cited?: number[]): StoredSource[] {
  const sources = hits.map((hit, index): StoredSource => {
    const title = sourceTitle(hit, language);
    const section = hit.location.headings?.at(-1);
    const url = sourceLink(hit);
    return {
      documentId: hit.documentId,
      chunkId: hit.chunkId,
      score: Math.round(hit.score * 1000) / 1000,
      title,
      ...(section && section !== title ? { section } : {}),
      ...(url ? { url } : {}),
      ...(hit.location.page ? { page: hit.location.page } : {}),
      ...(cited ? { cited: cited.includes(index) } : {}),
    };
  });
  return sources;
}

/** The passages a model's answer cites with [n] (1-based, as the prompt numbers them), in order. */
export function citedIndexes(content: string, count: number): number[] {
  const found: number[] = [];
  for (const match of content.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const part of match[1].split(',')) {
      const index = Number(part.trim()) - 1;
      if (index >= 0 && index < count && !found.includes(index)) found.push(index);
    }
  }
  return found;
}
