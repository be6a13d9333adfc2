/**
 * Long answers go out as several messages, each within the platform's limit, cut where a reader
 * would pause: between paragraphs, then lines, then sentences, then words; a word longer than the
 * limit is cut, but never inside a surrogate pair (an emoji must not turn into two broken halves).
 */
export interface TextLimit {
  max: number;
  /** WhatsApp, Messenger and Telegram count characters; Instagram counts UTF-8 bytes. */
  unit: 'chars' | 'bytes';
}

const encoder = new TextEncoder();

function measure(text: string, unit: TextLimit['unit']) {
  // UTF-16 units overcount astral characters, so a part measured this way is never too long.
  return unit === 'bytes' ? encoder.encode(text).length : text.length;
}

/** Longest prefix length (UTF-16 units) of `text` that fits in `max`. */
function fittingPrefix(text: string, limit: TextLimit): number {
  if (limit.unit === 'chars') return Math.min(text.length, limit.max);
  let low = 0;
  let high = Math.min(text.length, limit.max);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(text.slice(0, mid), 'bytes') <= limit.max) low = mid;
    else high = mid - 1;
  }
  return low;
}

const BREAKS = [/\n\s*\n/g, /\n/g, /[.!?…。](?=\s)/g, /\s/g];

/** Where to cut inside `window`: after the last natural break in its second half, else at its end. */
function cutPoint(window: string): number {
  for (const pattern of BREAKS) {
    let best = -1;
    for (const match of window.matchAll(pattern)) best = match.index + match[0].length;
    if (best >= window.length / 2) return best;
  }
  let end = window.length;
  const last = window.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return end;
}

export function splitText(text: string, limit: TextLimit): string[] {
  if (limit.max < 2) throw new Error('a text limit must allow at least 2 characters');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest && measure(rest, limit.unit) > limit.max) {
    const window = rest.slice(0, fittingPrefix(rest, limit));
    const cut = Math.max(1, cutPoint(window));
    const part = rest.slice(0, cut).trim();
    if (part) parts.push(part);
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}
