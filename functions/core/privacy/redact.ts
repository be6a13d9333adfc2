import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { findNumbers } from 'libphonenumber-js/max';

/**
 * Finds and masks personal data in free text: email addresses, phone numbers, payment card
 * numbers and IBANs. Each kind is confirmed the way its issuer defines it, not by shape alone:
 * phones by the numbering plans of libphonenumber (so an order number of nine digits is not a
 * Spanish phone), cards by the Luhn check, IBANs by their mod-97 check. That is what keeps the
 * precision high enough to run on every stored message.
 */

export const PII_KINDS = ['email', 'phone', 'card', 'iban'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
}

/** What a masked value becomes; readable by a person and by a model ("[teléfono]" would be language-bound). */
export const PII_MASK: Record<PiiKind, string> = { email: '[email]', phone: '[phone]', card: '[card]', iban: '[iban]' };

// Local part and domain as mail servers accept them in practice; the TLD has letters only.
const EMAIL = /[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}\b/g;
// 13–19 digits, optionally grouped by single spaces or dashes (how people type cards).
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
// Two letters, two check digits, then 11–30 letters/digits, optionally grouped by spaces.
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/gi;
/** Countries whose national phone formats are read without a +prefix: the product's two languages' main markets. */
const PHONE_COUNTRIES = ['ES', 'US', 'MX', 'GB'] as const;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

function matches(text: string, pattern: RegExp, kind: PiiKind, accept: (value: string) => boolean): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(pattern)) {
    if (accept(m[0])) spans.push({ kind, start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

/**
 * A number right after the word that names it as something else ("pedido 600 123 456", "order
 * 4500012345", "INV-2025-000871") is that thing, even when its digits could dial a phone.
 */
const NAMED_AS_OTHER =
  /\b(pedido|order|albar[aá]n|factura|invoice|ticket|ref|referencia|reference|tracking|seguimiento|env[ií]o|cliente|customer|socio|sku|c[oó]digo|code)(\s+(es|is|el|the|de|of|number|n[uú]mero|n[ºo°]\.?))*\s*[:#]?\s*$/i;

function phones(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const country of PHONE_COUNTRIES) {
    for (const found of findNumbers(text, { defaultCountry: country, v2: true })) {
      // Valid in its plan (not merely the right length) keeps most order and reference numbers out.
      if (!found.number.isValid()) continue;
      const before = text.slice(Math.max(0, found.startsAt - 40), found.startsAt);
      // Glued to a code ("INV-2025-000871") or named as an order, ticket, invoice…: not a phone.
      if (/[A-Za-z0-9][-/]?$/.test(before) || NAMED_AS_OTHER.test(before)) continue;
      spans.push({ kind: 'phone', start: found.startsAt, end: found.endsAt });
    }
  }
  return spans;
}

/**
 * IBANs by their check digits. The pattern may run on into the next word ("ES91… por", since
 * lowercase IBANs are allowed), so a candidate that fails the check is retried without its last
 * space-separated pieces before it is given up.
 */
function ibans(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const m of text.matchAll(IBAN)) {
    let candidate = m[0];
    while (candidate.length >= 15) {
      if (isValidIBAN(electronicFormatIBAN(candidate) ?? '')) {
        spans.push({ kind: 'iban', start: m.index, end: m.index + candidate.length });
        break;
      }
      const cut = candidate.lastIndexOf(' ');
      if (cut < 0) break;
      candidate = candidate.slice(0, cut);
    }
  }
  return spans;
}

/** Every piece of personal data in `text`, in order, without overlaps (the earlier, longer span wins). */
export function findPii(text: string): PiiSpan[] {
  const all = [
    ...matches(text, EMAIL, 'email', () => true),
    ...ibans(text),
    ...matches(text, CARD, 'card', (v) => luhnValid(v.replace(/\D/g, ''))),
    ...phones(text),
  ].sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: PiiSpan[] = [];
  for (const span of all) {
    const last = kept.at(-1);
    if (last && span.start < last.end) continue;
    kept.push(span);
  }
  return kept;
}

/** `text` with every piece of personal data replaced by its mask, and what was found. */
export function redact(text: string): { text: string; found: PiiSpan[] } {
  const found = findPii(text);
  if (found.length === 0) return { text, found };
  let out = '';
  let at = 0;
  for (const span of found) {
    out += text.slice(at, span.start) + PII_MASK[span.kind];
    at = span.end;
  }
  return { text: out + text.slice(at), found };
}
