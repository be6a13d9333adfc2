/**
 * HTML to sections: the main text of a page (menus, scripts and forms dropped), its heading
 * structure with anchors for citations, and its same-site links for the crawler.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import type { ExtractedDocument, Section, SectionKind } from './types';
import { HeadingTrail, collapseWhitespace, makeLocation, makeSection, tableRowText } from './extract-text';

type DomDocument = ReturnType<typeof parseDocument>;
type DomNode = DomDocument['children'][number];
type DomElement = Extract<DomNode, { attribs: Record<string, string> }>;
type DomText = Extract<DomNode, { type: 'text' }>;
type DomParent = Extract<DomNode, { children: DomNode[] }>;

// domutils 4 no longer re-exports domhandler's guards, and domhandler is not our dependency.
function isElement(node: DomNode | DomParent | null): node is DomElement {
  return node !== null && 'attribs' in node;
}
function isText(node: DomNode): node is DomText {
  return node.type === 'text';
}
function hasChildren(node: DomNode): node is DomParent {
  return 'children' in node;
}
function childElements(element: DomElement): DomElement[] {
  return element.children.filter(isElement);
}

/** Page furniture and non-content: none of it answers a customer's question. */
const DROPPED_TAGS = new Set([
  'script', 'style', 'noscript', 'nav', 'aside', 'form', 'svg', 'iframe',
  'template', 'head', 'button', 'select', 'dialog', 'canvas', 'object', 'embed',
]);

/** Site banners and footers are furniture, but an article's own header holds its title. */
const PAGE_FURNITURE_TAGS = new Set(['header', 'footer']);

/** Elements that end the running text: what precedes them is one section. */
const BLOCK_TAGS = new Set([
  'p', 'div', 'section', 'article', 'main', 'blockquote', 'ul', 'ol', 'dl', 'dt', 'dd',
  'figure', 'figcaption', 'address', 'details', 'summary', 'hr', 'table', 'thead', 'tbody',
  'tfoot', 'caption', 'body', 'center', 'fieldset', 'legend',
]);

const HEADING_LEVEL: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

/** Elements whose id is an anchor for the headings inside them. */
const ANCHOR_CONTAINERS = new Set(['section', 'article']);

export function extractHtml(html: string, baseUrl?: string): ExtractedDocument {
  const document = parseDocument(html);
  const pageUrl = baseUrl ? pageUrlOf(baseUrl) : undefined;
  let sections = new HtmlSectionWriter(pageUrl).write(mainContentRoots(document));
  // A <main> that holds only a widget placeholder would hide the real text: fall back to the page.
  if (sections.length === 0) sections = new HtmlSectionWriter(pageUrl).write([document]);
  return {
    title: pageTitle(document),
    sections,
    links: pageUrl ? sameOriginLinks(document, documentBaseUrl(document, pageUrl)) : [],
  };
}

/** <main> when the page marks it; otherwise its outermost <article>s; otherwise the whole page. */
function mainContentRoots(document: DomDocument): Array<DomNode | DomDocument> {
  const main = DomUtils.findOne((element) => element.name === 'main', document.children);
  if (main) return [main];
  const articles = DomUtils.findAll((element) => element.name === 'article', document.children);
  const outermost = articles.filter((article) => !enclosingElement(article, 'article'));
  return outermost.length > 0 ? outermost : [document];
}

/** The nearest ancestor element with this tag name. */
function enclosingElement(node: DomNode, name: string): DomElement | undefined {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (isElement(parent) && parent.name === name) return parent;
  }
  return undefined;
}

function pageTitle(document: DomDocument): string | undefined {
  for (const tag of ['title', 'h1']) {
    const element = DomUtils.findOne((candidate) => candidate.name === tag, document.children);
    const text = element ? collapseWhitespace(DomUtils.textContent(element)) : '';
    if (text !== '') return text;
  }
  return undefined;
}

/**
 * Walks the content in reading order, collecting inline text until a block boundary ends it.
 * The kind of the running text is the innermost open list item or paragraph-like element.
 */
class HtmlSectionWriter {
  private readonly sections: Section[] = [];
  private readonly trail = new HeadingTrail();
  private headings: string[] = [];
  private url: string | undefined;
  private running: string[] = [];
  private readonly kinds: SectionKind[] = ['paragraph'];
  private readonly anchorIds: string[] = [];

  constructor(private readonly pageUrl: string | undefined) {
    this.url = pageUrl;
  }

  write(roots: Array<DomNode | DomDocument>): Section[] {
    for (const root of roots) this.visit(root);
    this.flush();
    return this.sections;
  }

  private visit(node: DomNode | DomDocument): void {
    if (isText(node)) {
      this.running.push(node.data);
      return;
    }
    if (isElement(node)) return this.visitElement(node);
    // The document root and CDATA hold children; comments and directives hold no text.
    if (hasChildren(node)) node.children.forEach((child) => this.visit(child));
  }

  private visitElement(element: DomElement): void {
    const name = element.name.toLowerCase();
    if (DROPPED_TAGS.has(name) || element.attribs.hidden !== undefined || element.attribs['aria-hidden'] === 'true') return;
    if (PAGE_FURNITURE_TAGS.has(name) && !enclosingElement(element, 'article') && !enclosingElement(element, 'main')) return;
    const level = HEADING_LEVEL[name];
    if (level) return this.writeHeading(element, level);
    if (name === 'pre') return this.writeCode(element);
    if (name === 'tr') return this.writeTableRow(element);
    if (name === 'br') {
      this.running.push(' ');
      return;
    }
    const kind: SectionKind | undefined = name === 'li' ? 'list-item' : BLOCK_TAGS.has(name) ? 'paragraph' : undefined;
    const anchorId = ANCHOR_CONTAINERS.has(name) ? element.attribs.id : undefined;
    if (kind) this.flush();
    if (kind) this.kinds.push(kind);
    if (anchorId) this.anchorIds.push(anchorId);
    element.children.forEach((child) => this.visit(child));
    if (anchorId) this.anchorIds.pop();
    if (kind) {
      this.flush();
      this.kinds.pop();
    }
  }

  private writeHeading(element: DomElement, level: number): void {
    this.flush();
    const text = collapseWhitespace(DomUtils.textContent(element));
    if (text === '') return;
    this.headings = this.trail.enter(level, text);
    const anchor = headingAnchor(element) ?? this.anchorIds[this.anchorIds.length - 1];
    this.url = this.pageUrl && anchor ? `${this.pageUrl}#${encodeURIComponent(anchor)}` : this.pageUrl;
    this.push('heading', text);
  }

  /** Preformatted text keeps its line breaks: it is usually code or a listing. */
  private writeCode(element: DomElement): void {
    this.flush();
    const code = DomUtils.textContent(element).replace(/^\n+|\s+$/g, '');
    if (code !== '') this.push('code', code);
  }

  private writeTableRow(row: DomElement): void {
    this.flush();
    const cells = childElements(row).filter((cell) => cell.name === 'td' || cell.name === 'th');
    const texts = cells.map((cell) => collapseWhitespace(DomUtils.textContent(cell)));
    const isHeaderRow = cells.length > 0 && cells.every((cell) => cell.name === 'th');
    const header = isHeaderRow ? undefined : tableHeaderOf(row);
    const text = tableRowText(texts, header);
    if (text !== '') this.push('table-row', text);
  }

  private flush(): void {
    const text = collapseWhitespace(this.running.join(''));
    this.running = [];
    if (text !== '') this.push(this.kinds[this.kinds.length - 1], text);
  }

  private push(kind: SectionKind, text: string): void {
    this.sections.push(makeSection(kind, text, makeLocation({ headings: this.headings, url: this.url })));
  }
}

/** The heading's own id, or that of an anchor element placed inside it (<h2><a id="x">). */
function headingAnchor(heading: DomElement): string | undefined {
  if (heading.attribs.id) return heading.attribs.id;
  const inner = DomUtils.findOne((element) => Boolean(element.attribs.id || (element.name === 'a' && element.attribs.name)), heading.children);
  return inner ? inner.attribs.id || inner.attribs.name : undefined;
}

/** The header cells of the row's table (a first row made only of <th>), if it has one. */
function tableHeaderOf(row: DomElement): string[] | undefined {
  const table = enclosingElement(row, 'table');
  if (!table) return undefined;
  const firstRow = DomUtils.findOne((element) => element.name === 'tr', table.children);
  if (!firstRow || firstRow === row) return undefined;
  const cells = childElements(firstRow).filter((cell) => cell.name === 'td' || cell.name === 'th');
  if (cells.length === 0 || !cells.every((cell) => cell.name === 'th')) return undefined;
  return cells.map((cell) => collapseWhitespace(DomUtils.textContent(cell)));
}

// ---------------------------------------------------------------------------------------------
// Links

/** The page's absolute URL without its fragment, or undefined when it is not a URL at all. */
function pageUrlOf(baseUrl: string): string | undefined {
  const resolved = resolveUrl(baseUrl, 'invalid:');
  if (!resolved) return undefined;
  const url = new URL(resolved);
  url.hash = '';
  return url.href;
}

/** Relative links resolve against <base href> when the page sets one, as browsers do. */
function documentBaseUrl(document: DomDocument, pageUrl: string): string {
  const base = DomUtils.findOne((element) => element.name === 'base' && Boolean(element.attribs.href), document.children);
  return (base && resolveUrl(base.attribs.href, pageUrl)) || pageUrl;
}

/**
 * Absolute http(s) links to the same origin, without fragments, first occurrence first. Taken
 * from the whole page, navigation included: the menu is where a crawler finds the site.
 */
function sameOriginLinks(document: DomDocument, baseUrl: string): string[] {
  const origin = new URL(baseUrl).origin;
  const links = new Set<string>();
  for (const anchor of DomUtils.findAll((element) => element.name === 'a' && Boolean(element.attribs.href), document.children)) {
    const resolved = resolveUrl(anchor.attribs.href.trim(), baseUrl);
    if (!resolved) continue;
    const url = new URL(resolved);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) continue;
    url.hash = '';
    links.add(url.href);
  }
  return [...links];
}

function resolveUrl(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}
