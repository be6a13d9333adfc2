/**
 * Text Postgres cannot store. It refuses U+0000 in `text` and `jsonb`, and a lone UTF-16 surrogate
 * in `jsonb` (in `text` it is silently written as a replacement of the driver's choosing). Every
 * such string reaching a query became a 500 and, in the chat, a lost message, so text is checked
 * once at the boundary (see `checkJsonBody` in lib/body.ts):
 * - a JSON body with such a string is refused (422 `invalid_text`, with the field's path);
 * - a chat message is cleaned instead (NUL removed, lone surrogates -> U+FFFD) where the chat
 *   stores it, so what a visitor typed is never lost;
 * - text from outside the API (extracted documents, channel webhooks) is cleaned where it enters.
 */

// Without the `u` flag a regex sees UTF-16 code units, which is what "lone surrogate" is about.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const NUL = /\u0000/g;
/** C0 controls other than tab, line feed and carriage return: never meaningful in a document. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const C0_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** Removes NUL and replaces lone surrogates with U+FFFD: what a chat message becomes when stored. */
export function cleanText(text: string): string {
  if (isStorableText(text)) return text;
  return text.replace(NUL, '').replace(LONE_SURROGATES, '\uFFFD');
}

/** `cleanText` on every string (keys too) of a parsed JSON value: for payloads we cannot refuse. */
export function cleanJsonText<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanJsonText) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanJsonText(v)])) as T;
  }
  return value;
}

/** Extracted document text: also drops the other C0 controls that PDFs and binaries leave behind. */
export function cleanDocumentText(text: string): string {
  return text.replace(C0_CONTROLS, '').replace(LONE_SURROGATES, '\uFFFD');
}

/**
 * The path (`a.b.0.c`) of the first string (or key) in a JSON value Postgres could not store;
 * `except` names one path whose text the caller cleans itself.
 */
export function findUnstorableText(value: unknown, path: Array<string | number> = [], except?: string): string | null {
  if (typeof value === 'string') return isStorableText(value) || path.join('.') === except ? null : path.join('.');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i], except);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, key.replace(NUL, '\\0')].join('.');
      const found = findUnstorableText(item, [...path, key], except);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Postgres's own refusal of such text (22P05 untranslatable character, 22021 bad encoding). */
export function isUnstorableTextError(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code;
  return code === '22P05' || code === '22021';
}

/** A reason safe to store in a `text` column whatever the error said, at most `max` characters. */
export function storableReason(reason: string, max = 1000): string {
  const clean = cleanDocumentText(reason);
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  // Cutting inside a surrogate pair would leave half of it.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
