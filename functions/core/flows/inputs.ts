import type { INPUT_VALIDATIONS } from './schema';

/** What an input node accepts, and how a typed answer picks a question's choice. */
export const SKIP_REPLY_ID = 'flow.skip';

type Validation = (typeof INPUT_VALIDATIONS)[number];
export type Checked = { ok: true; value: string | number } | { ok: false };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

function parseDate(text: string): string | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  // Day first, as written in Spain and most of the world: 15/03/2026, 15-3-2026, 15.03.2026.
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (m) return isoDate(Number(m[3]), Number(m[2]), Number(m[1]));
  return null;
}

export function validateInput(kind: Validation, raw: string): Checked {
  const text = raw.trim();
  if (!text) return { ok: false };
  switch (kind) {
    case 'text':
      return { ok: true, value: text };
    case 'email':
      return EMAIL.test(text) ? { ok: true, value: text.toLowerCase() } : { ok: false };
    case 'phone': {
      const compact = text.replace(/[\s().-]/g, '');
      return /^\+?\d{6,15}$/.test(compact) ? { ok: true, value: compact } : { ok: false };
    }
    case 'number': {
      const n = Number(text.replace(/\s/g, '').replace(',', '.'));
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'date': {
      const date = parseDate(text);
      return date ? { ok: true, value: date } : { ok: false };
    }
  }
}

function normalize(text: string) {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A tapped button (its id), the label typed out, or the option's number ("2") where buttons became text. */
export function matchChoice<T extends { id: string; label: string }>(choices: T[], text: string, tapped: string | null): T | null {
  if (tapped) {
    const byId = choices.find((c) => c.id === tapped);
    if (byId) return byId;
  }
  const typed = normalize(text);
  if (!typed) return null;
  const byLabel = choices.find((c) => normalize(c.label) === typed);
  if (byLabel) return byLabel;
  const index = /^\d{1,2}$/.test(typed) ? Number(typed) - 1 : -1;
  return choices[index] ?? null;
}

export { normalize as normalizeText };
