/**
 * HTML mail reduced to plain text for the inbox and the model, without a DOM or a library (this
 * runs in the request worker, whose bundle is measured). What it guarantees on hostile input:
 * nothing inside <script>, <style>, <head>, <template>, <noscript>, <svg>, <iframe>, <object>
 * or comments reaches the text; entities are decoded once (so `&amp;lt;` stays the text `&lt;`,
 * never markup); links keep their target as text ("label (https://…)") and only http(s)/mailto
 * targets; the input and the output are both bounded, and every pattern is linear.
 */
export const MAX_HTML_INPUT = 2_000_000;
export const MAX_TEXT_OUTPUT = 100_000;

const DROPPED_ELEMENTS = ['script', 'style', 'head', 'template', 'noscript', 'svg', 'iframe', 'object', 'title', 'xml'];
const BLOCK_TAGS = new Set(['p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'hr', 'section', 'article', 'header', 'footer', 'dt', 'dd']);

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', euro: '€', laquo: '«', raquo: '»', middot: '·', bull: '•', trade: '™',
  aacute: 'á', eacute: 'é', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ', Aacute: 'Á', Eacute: 'É', Iacute: 'Í',
  Oacute: 'Ó', Uacute: 'Ú', Ntilde: 'Ñ', uuml: 'ü', Uuml: 'Ü', iexcl: '¡', iquest: '¿', ordm: 'º', ordf: 'ª', deg: '°', zwnj: '', zwj: '',
};

function codePoint(n: number): string {
  // Surrogates, NUL and out-of-range values are what a hostile mail uses to break storage.
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(n);
}

/** Decodes character references once, left to right (never re-scanning what a decode produced). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,8}|#[0-9]{1,9}|[a-z][a-z0-9]{1,31});?/gi, (whole, ref: string) => {
    if (ref[0] === '#') return codePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Removes whole elements whose content is never text, case-insensitively, unclosed ones to the end. */
function dropElements(html: string): string {
  let out = html.replace(/<!--[\s\S]*?(?:-->|$)/g, ' ').replace(/<!\[CDATA\[[\s\S]*?(?:\]\]>|$)/g, ' ');
  for (const tag of DROPPED_ELEMENTS) {
    const lower = out.toLowerCase();
    const open = `<${tag}`;
    const close = `</${tag}`;
    let result = '';
    let at = 0;
    for (;;) {
      const start = findTag(lower, open, at);
      if (start < 0) break;
      result += out.slice(at, start);
      const end = findTag(lower, close, start + open.length);
      if (end < 0) {
        at = out.length;
        break;
      }
      const gt = lower.indexOf('>', end);
      at = gt < 0 ? out.length : gt + 1;
    }
    out = result + out.slice(at);
  }
  return out;
}

/** Index of `<tag` followed by a delimiter (so `<stylesheet>` is not `<style`), or -1. */
function findTag(lower: string, prefix: string, from: number): number {
  let at = lower.indexOf(prefix, from);
  while (at >= 0) {
    const next = lower[at + prefix.length];
    if (next === undefined || next === '>' || next === '/' || /\s/.test(next)) return at;
    at = lower.indexOf(prefix, at + 1);
  }
  return -1;
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!match) return null;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '').trim();
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** Text of the HTML: block elements become line breaks, links keep their target, tags go. */
export function htmlToText(html: string): string {
  const source = dropElements(html.length > MAX_HTML_INPUT ? html.slice(0, MAX_HTML_INPUT) : html);
  const pieces: string[] = [];
  let size = 0;
  let pendingHref: string | null = null;
  let linkText = '';
  const push = (piece: string) => {
    if (size >= MAX_TEXT_OUTPUT) return;
    pieces.push(piece);
    size += piece.length;
  };
  const tagPattern = /<\/?([a-z][a-z0-9]*)\b[^>]*>|<[^>]*>?/gi;
  let last = 0;
  for (let match = tagPattern.exec(source); match; match = tagPattern.exec(source)) {
    const text = decodeEntities(source.slice(last, match.index));
    if (pendingHref !== null) linkText += text;
    push(text);
    last = tagPattern.lastIndex;
    const name = match[1]?.toLowerCase();
    if (!name) continue;
    const closing = match[0][1] === '/';
    if (name === 'a' && !closing) {
      const href = attribute(match[0], 'href');
      pendingHref = href && SAFE_LINK.test(href) ? href : null;
      linkText = '';
    } else if (name === 'a' && closing) {
      if (pendingHref && linkText.trim() !== pendingHref && linkText.trim() !== pendingHref.replace(/^mailto:/i, '')) push(` (${pendingHref})`);
      pendingHref = null;
    } else if (name === 'img' && !closing) {
      const alt = attribute(match[0], 'alt');
      if (alt) push(`[${alt}]`);
    } else if (name === 'li') {
      if (!closing) push('\n- ');
    } else if (BLOCK_TAGS.has(name)) {
      push('\n');
    } else if (name === 'td' || name === 'th') {
      push(' ');
    }
  }
  push(decodeEntities(source.slice(last)));
  return tidy(pieces.join('')).slice(0, MAX_TEXT_OUTPUT);
}

/** Collapses runs of spaces inside lines and more than one blank line; removes control characters. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
