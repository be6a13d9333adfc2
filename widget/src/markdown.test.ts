import { describe, expect, it } from 'vitest';
import { FakeNode, fakeDocument, textOf } from './fake-dom';
import { parseMarkdown, renderMarkdown, safeUrl } from './markdown';

function render(src: string): FakeNode {
  return renderMarkdown(src, fakeDocument as unknown as Document) as unknown as FakeNode;
}
function walk(n: FakeNode, out: FakeNode[] = []): FakeNode[] {
  out.push(n);
  n.children.forEach((c) => walk(c, out));
  return out;
}
const ALLOWED_TAGS = new Set(['#fragment', '#text', 'p', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'a', 'br']);

/** Every node is an allowed tag; only links carry attributes, and only safe ones. */
function assertSafe(root: FakeNode) {
  for (const n of walk(root)) {
    expect(ALLOWED_TAGS.has(n.tag), `tag ${n.tag}`).toBe(true);
    if (n.tag !== 'a') expect(n.attrs).toEqual({});
    else {
      expect(Object.keys(n.attrs).sort()).toEqual(['href', 'rel', 'target']);
      expect(n.attrs.href).toMatch(/^(https?:|mailto:)/);
      expect(n.attrs.rel).toBe('noopener noreferrer');
      expect(n.attrs.target).toBe('_blank');
    }
  }
}

describe('markdown', () => {
  it('renders bold, italics, inline code, links, lists and code blocks', () => {
    const src = [
      'Hola **mundo** y *cursiva* con `x < y`, ver [la guía](https://example.com/guia?a=1&b=2).',
      '',
      '- uno',
      '- **dos**',
      '',
      '1. primero',
      '2. segundo',
      '',
      '```js',
      'const a = "<b>";',
      '```',
    ].join('\n');
    expect(parseMarkdown(src).map((b) => b.t)).toEqual(['p', 'ul', 'ol', 'pre']);
    const root = render(src);
    assertSafe(root);
    const tags = walk(root).map((n) => n.tag);
    for (const tag of ['strong', 'em', 'code', 'a', 'ul', 'ol', 'li', 'pre']) expect(tags).toContain(tag);
    const link = walk(root).find((n) => n.tag === 'a')!;
    expect(link.attrs.href).toBe('https://example.com/guia?a=1&b=2');
    expect(textOf(link)).toBe('la guía');
    expect(textOf(walk(root).find((n) => n.tag === 'pre')!)).toBe('const a = "<b>";');
  });

  it('keeps HTML as text: <img onerror> produces no element', () => {
    const root = render('hi <img src=x onerror="alert(1)"> <script>alert(2)</script> <a href="javascript:alert(3)">x</a>');
    assertSafe(root);
    expect(walk(root).map((n) => n.tag)).toEqual(['#fragment', 'p', '#text']);
    expect(textOf(root)).toContain('<img src=x onerror="alert(1)">');
  });

  it.each([
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click]( javascript:alert(1) )',
    '[click](java\tscript:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox(1))',
    '[click](/relative/path)',
    '[click](//evil.example/x)',
  ])('drops unsafe link targets: %s', (src) => {
    const root = render(src);
    assertSafe(root);
    expect(walk(root).some((n) => n.tag === 'a')).toBe(false);
    expect(textOf(root)).toContain('click');
  });

  it('handles nested brackets and parentheses without escaping the link', () => {
    const root = render('[a [b] c](https://x.test/p_(1)) and [[x](javascript:alert(1))](https://ok.test)');
    assertSafe(root);
    const links = walk(root).filter((n) => n.tag === 'a');
    expect(links.map((l) => l.attrs.href)).toEqual(['https://x.test/p_(1)', 'https://ok.test/']);
    expect(textOf(links[0])).toBe('a [b] c');
  });

  it('links bare URLs without swallowing trailing punctuation, and leaves snake_case alone', () => {
    const root = render('See https://example.com/docs. Call my_func_name now.');
    assertSafe(root);
    const a = walk(root).find((n) => n.tag === 'a')!;
    expect(a.attrs.href).toBe('https://example.com/docs');
    expect(walk(root).some((n) => n.tag === 'em')).toBe(false);
    expect(textOf(root)).toBe('See https://example.com/docs. Call my_func_name now.');
  });

  it('survives unbalanced markers and half-streamed input', () => {
    for (const src of ['**bold', '*', '`code', '[link](https://x', '```\nunterminated', '- ', '**', '[]()']) {
      const root = render(src);
      assertSafe(root);
    }
    expect(textOf(render('**bold'))).toBe('**bold');
  });

  it('accepts only http, https and mailto URLs', () => {
    expect(safeUrl('https://a.test/x')).toBe('https://a.test/x');
    expect(safeUrl('mailto:hi@a.test')).toBe('mailto:hi@a.test');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('  \u0000javascript:alert(1)')).toBeNull();
    expect(safeUrl('ftp://a.test')).toBeNull();
  });
});
