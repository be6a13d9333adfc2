/**
 * A deliberately small Markdown subset for bot replies: paragraphs with line breaks, **bold**,
 * *italics*, `inline code`, fenced code blocks, bullet and numbered lists, [links](url) and bare
 * URLs. It parses to a tiny tree and builds DOM nodes with textContent only, so no text from
 * the bot or the visitor ever reaches an HTML parser; links keep only http(s) and mailto.
 */
export type Inline =
  | string
  | { t: 'strong' | 'em'; c: Inline[] }
  | { t: 'code'; text: string }
  | { t: 'br' }
  | { t: 'a'; href: string; c: Inline[] };

export type Block = { t: 'p'; c: Inline[] } | { t: 'pre'; text: string } | { t: 'ul' | 'ol'; items: Inline[][] };

const LIST = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;
const FENCE = /^\s{0,3}```/;
const URL_RE = /^https?:\/\/[^\s<>"]*[^\s<>".,:;!?'")\]]/;

/** The parsed, normalised URL when it is http(s) or mailto; null for anything else. */
export function safeUrl(raw: string): string | null {
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:' ? u.href : null;
  } catch {
    return null;
  }
}

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join('\n')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (FENCE.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !FENCE.test(lines[i])) code.push(lines[i]);
      blocks.push({ t: 'pre', text: code.join('\n') });
      continue;
    }
    const item = LIST.exec(line);
    if (item) {
      flush();
      const t = /\d/.test(item[1]) ? 'ol' : 'ul';
      const items: Inline[][] = [];
      let m: RegExpExecArray | null = item;
      while (m && (/\d/.test(m[1]) ? 'ol' : 'ul') === t) {
        items.push(parseInline(m[2]));
        m = i + 1 < lines.length ? LIST.exec(lines[i + 1]) : null;
        if (m) i++;
      }
      blocks.push({ t, items });
      continue;
    }
    if (line.trim() === '') flush();
    // A heading reads as a bold line: the bubble is too small for real heading sizes.
    else if (/^#{1,6}\s/.test(line)) {
      flush();
      blocks.push({ t: 'p', c: [{ t: 'strong', c: parseInline(line.replace(/^#+\s+/, '')) }] });
    } else para.push(line);
  }
  flush();
  return blocks;
}

/** Index of the bracket closing the one at `open`, counting nesting; -1 when unbalanced. */
function closing(s: string, open: number, a: string, b: string): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === a) depth++;
    else if (s[i] === b && --depth === 0) return i;
  }
  return -1;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const push = (node: Inline) => {
    if (text) out.push(text);
    text = '';
    out.push(node);
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const rest = s.slice(i);
    if (c === '\\' && /[\\`*_[\]()#+\-.!]/.test(s[i + 1] ?? '')) {
      text += s[++i];
      continue;
    }
    if (c === '\n') {
      push({ t: 'br' });
      continue;
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        push({ t: 'code', text: s.slice(i + 1, end) });
        i = end;
        continue;
      }
    }
    const strong = rest.startsWith('**') ? '**' : rest.startsWith('__') ? '__' : '';
    if (strong) {
      const end = s.indexOf(strong, i + 2);
      if (end > i + 2) {
        push({ t: 'strong', c: parseInline(s.slice(i + 2, end)) });
        i = end + 1;
        continue;
      }
    }
    // `_` inside a word (snake_case) is not emphasis; `*` needs a non-space right after it.
    if ((c === '*' || (c === '_' && !/\w/.test(s[i - 1] ?? ''))) && s[i + 1] && !/\s/.test(s[i + 1])) {
      const end = s.indexOf(c, i + 1);
      if (end > i + 1 && !/\s/.test(s[end - 1]) && (c === '*' || !/\w/.test(s[end + 1] ?? ''))) {
        push({ t: 'em', c: parseInline(s.slice(i + 1, end)) });
        i = end;
        continue;
      }
    }
    if (c === '[') {
      const close = closing(s, i, '[', ']');
      if (close > 0 && s[close + 1] === '(') {
        const paren = closing(s, close + 1, '(', ')');
        if (paren > 0) {
          const label = parseInline(s.slice(i + 1, close));
          const href = safeUrl(s.slice(close + 2, paren));
          // An unsafe target (javascript:, data:, relative) keeps its label as plain content.
          if (href) push({ t: 'a', href, c: label });
          else {
            if (text) out.push(text);
            text = '';
            out.push(...label);
          }
          i = paren;
          continue;
        }
      }
    }
    if (c === 'h' && !/\w/.test(s[i - 1] ?? '')) {
      const m = URL_RE.exec(rest);
      const href = m && safeUrl(m[0]);
      if (m && href) {
        push({ t: 'a', href, c: [m[0]] });
        i += m[0].length - 1;
        continue;
      }
    }
    text += c;
  }
  if (text) out.push(text);
  return out;
}

type Doc = Pick<Document, 'createElement' | 'createTextNode' | 'createDocumentFragment'>;

function inline(doc: Doc, parent: Node, nodes: Inline[]) {
  for (const n of nodes) {
    if (typeof n === 'string') {
      parent.appendChild(doc.createTextNode(n));
      continue;
    }
    const el = doc.createElement(n.t);
    if (n.t === 'code') el.textContent = n.text;
    else if (n.t === 'a') {
      el.setAttribute('href', n.href);
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    }
    if ('c' in n) inline(doc, el, n.c);
    parent.appendChild(el);
  }
}

export function renderMarkdown(src: string, doc: Doc = document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  for (const b of parseMarkdown(src)) {
    const el = doc.createElement(b.t);
    if (b.t === 'pre') {
      const code = doc.createElement('code');
      code.textContent = b.text;
      el.appendChild(code);
    } else if (b.t === 'p') inline(doc, el, b.c);
    else
      for (const item of b.items) {
        const li = doc.createElement('li');
        inline(doc, li, item);
        el.appendChild(li);
      }
    frag.appendChild(el);
  }
  return frag;
}
