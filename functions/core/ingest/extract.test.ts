import { describe, expect, it } from 'vitest';
import { lyingDocxBomb, makeDocx } from '../../../scripts/fixtures/make-docx';
import { makePdf } from '../../../scripts/fixtures/make-pdf';
import { extractDocument } from './extract';
import { extractDocx } from './extract-docx';
import { extractHtml } from './extract-html';
import { ExtractionError, type ExtractedDocument, type SupportedType } from './types';

const encode = (value: string) => new TextEncoder().encode(value);
const extractText = (value: string, type: SupportedType, sourceUrl?: string) => extractDocument({ bytes: encode(value), type, sourceUrl });
const indexOfText = (bytes: Uint8Array, value: string) => new TextDecoder('latin1').decode(bytes).indexOf(value);
const texts = (doc: ExtractedDocument) => doc.sections.map((section) => section.text);

describe('PDF', () => {
  it('extracts every page with its page number and the page count', async () => {
    const bytes = await makePdf(5, { title: 'Employee handbook' });
    const doc = await extractDocument({ bytes, type: 'pdf' });
    expect(doc.pageCount).toBe(5);
    expect(doc.title).toBe('Employee handbook');
    for (let page = 1; page <= 5; page++) {
      const onPage = doc.sections.filter((section) => section.location.page === page);
      expect(onPage.length, `page ${page}`).toBeGreaterThan(1);
      expect(onPage.map((section) => section.text).join(' ')).toContain(`reference ref-${page}.`);
    }
    expect(doc.sections[0].text).toBe('Section 1: billing and invoices');
  });

  it('leaves the caller\'s bytes usable (PDF.js detaches the buffer it is given)', async () => {
    const bytes = await makePdf(1);
    await extractDocument({ bytes, type: 'pdf' });
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect(bytes[0]).toBe(0x25);
  });

  it('refuses an image-only PDF with the OCR reason', async () => {
    const bytes = await makePdf(2, { imageOnly: true });
    await expect(extractDocument({ bytes, type: 'pdf' })).rejects.toThrow(
      new ExtractionError('The PDF has no text layer (scanned or image-only); OCR is not supported yet'),
    );
  });

  it('refuses a password-protected PDF', async () => {
    const bytes = await makePdf(1, { passwordProtected: true });
    await expect(extractDocument({ bytes, type: 'pdf' })).rejects.toThrow(/password-protected/);
  });

  it('refuses a corrupt PDF with a readable message', async () => {
    const error = await extractDocument({ bytes: encode('%PDF-1.7\nthis is not a pdf at all'), type: 'pdf' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toMatch(/PDF/);
  });
});

describe('DOCX', () => {
  const blocks = [
    { title: 'Customer guide' },
    { heading: 'Pricing', level: 1 as const },
    'Plans are billed monthly.\tTaxes are extra.',
    { heading: 'Refunds', level: 2 as const },
    'Refunds are accepted within 30 days.',
    { listItem: 'Keep the receipt' },
    { table: [['Plan', 'Price'], ['Pro', '20 USD'], ['Team', '50 USD']], headerRow: true },
    { table: [['Phone', '555-0100'], ['Email', 'help@example.com']] },
  ];

  it('reads headings, paragraphs, list items and table rows', async () => {
    const doc = await extractDocument({ bytes: makeDocx(blocks, { styles: true }), type: 'docx' });
    expect(doc.title).toBe('Customer guide');
    expect(doc.sections.map((section) => [section.kind, section.text])).toEqual([
      ['heading', 'Customer guide'],
      ['heading', 'Pricing'],
      ['paragraph', 'Plans are billed monthly. Taxes are extra.'],
      ['heading', 'Refunds'],
      ['paragraph', 'Refunds are accepted within 30 days.'],
      ['list-item', 'Keep the receipt'],
      ['table-row', 'Plan: Pro; Price: 20 USD'],
      ['table-row', 'Plan: Team; Price: 50 USD'],
      ['table-row', 'Phone | 555-0100'],
      ['table-row', 'Email | help@example.com'],
    ]);
    expect(doc.sections[5].location.headings).toEqual(['Customer guide', 'Pricing', 'Refunds']);
  });

  it('finds headings by style name when the style ids are localized (Spanish Word)', async () => {
    const doc = await extractDocument({ bytes: makeDocx(blocks, { styleIds: 'spanish' }), type: 'docx' });
    expect(doc.sections.filter((s) => s.kind === 'heading').map((s) => s.text)).toEqual(['Customer guide', 'Pricing', 'Refunds']);
  });

  it('finds headings from the default style ids when styles.xml is missing', async () => {
    const doc = await extractDocument({ bytes: makeDocx(blocks), type: 'docx' });
    expect(doc.sections[4].location.headings).toEqual(['Customer guide', 'Pricing', 'Refunds']);
  });

  it('keeps line breaks inside a paragraph', async () => {
    const doc = await extractDocument({ bytes: makeDocx(['Main Street 1\nSpringfield']), type: 'docx' });
    expect(texts(doc)).toEqual(['Main Street 1\nSpringfield']);
  });

  it('refuses a zip bomb by its declared size without inflating it', async () => {
    const bomb = makeDocx([], { documentXml: new Uint8Array(60 * 1024 * 1024) });
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const error = await extractDocument({ bytes: bomb, type: 'docx' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toBe('The file expands to more than 50 MB of text');
  });

  it('stops a zip bomb that lies about its size at the real byte cap', async () => {
    // 200 MB of XML whose zip entry claims 5 MB: only counting inflated bytes can stop it.
    const bomb = lyingDocxBomb(200, 5 * 1024 * 1024);
    expect(bomb.byteLength).toBeLessThan(2 * 1024 * 1024);
    const error = await extractDocument({ bytes: bomb, type: 'docx' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toBe('The file expands to more than 50 MB of text');
  });

  it('caps the number of zip entries', () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`junk/${i}.xml`, encode('x')]));
    const docx = makeDocx(['Hello there'], { extraFiles: files });
    expect(() => extractDocx(docx, { maxEntries: 20 })).toThrow('more than 20 parts');
    expect(extractDocx(docx).sections.map((s) => s.text)).toEqual(['Hello there']);
  });

  it('refuses corrupt zips', async () => {
    const valid = makeDocx(['Hello there']);
    const truncated = valid.slice(0, valid.byteLength - 40);
    await expect(extractDocument({ bytes: truncated, type: 'docx' })).rejects.toBeInstanceOf(ExtractionError);
    await expect(extractDocument({ bytes: encode('PK\u0003\u0004 garbage'), type: 'docx' })).rejects.toBeInstanceOf(ExtractionError);
    const scrambled = valid.slice();
    const dataStart = indexOfText(valid, 'word/document.xml') + 'word/document.xml'.length;
    for (let index = dataStart; index < dataStart + 40; index++) scrambled[index] ^= 0x5a; // its deflate stream
    await expect(extractDocument({ bytes: scrambled, type: 'docx' })).rejects.toBeInstanceOf(ExtractionError);
  });

  it('refuses a document without text', async () => {
    await expect(extractDocument({ bytes: makeDocx(['', '  ']), type: 'docx' })).rejects.toThrow('The document has no text');
  });
});

describe('HTML', () => {
  const page = `<!doctype html><html><head><title>Help center &amp; FAQ</title><style>p{color:red}</style>
    <script>var secret = "do not index";</script></head><body>
    <header><a href="/">Home</a><nav><a href="/pricing#plans">Pricing</a><a href="https://other.example/x">Partner</a>
      <a href="mailto:a@b.c">Mail</a><a href="/docs/">Docs</a></nav></header>
    <aside>Sidebar ads</aside>
    <main>
      <h1>Getting   started</h1>
      <p>Welcome to   the <b>help</b> center.&nbsp;Read on.</p>
      <section id="billing"><h2>Billing</h2>
        <p>Invoices are sent monthly.</p>
        <ul><li>Cards accepted</li><li>Wire transfer <ul><li>Europe only</li></ul></li></ul>
      </section>
      <h2 id="limits">Limits</h2>
      <table><tr><th>Plan</th><th>Messages</th></tr><tr><td>Free</td><td>100</td></tr><tr><td>Pro</td><td>10 000</td></tr></table>
      <pre>curl -X POST \\
  https://api.example.com</pre>
      <form><input name="q"><button>Search</button></form>
      <a href="../docs/intro?x=1#top">Intro</a>
    </main>
    <footer>© Example <a href="/legal">Legal</a></footer></body></html>`;

  it('keeps the main text and drops navigation, scripts and forms', () => {
    const doc = extractHtml(page, 'https://help.example.com/start/index.html#ignored');
    expect(doc.title).toBe('Help center & FAQ');
    expect(doc.sections.map((section) => [section.kind, section.text])).toEqual([
      ['heading', 'Getting started'],
      ['paragraph', 'Welcome to the help center. Read on.'],
      ['heading', 'Billing'],
      ['paragraph', 'Invoices are sent monthly.'],
      ['list-item', 'Cards accepted'],
      ['list-item', 'Wire transfer'],
      ['list-item', 'Europe only'],
      ['heading', 'Limits'],
      ['table-row', 'Plan | Messages'],
      ['table-row', 'Plan: Free; Messages: 100'],
      ['table-row', 'Plan: Pro; Messages: 10 000'],
      ['code', 'curl -X POST \\\n  https://api.example.com'],
      ['paragraph', 'Intro'],
    ]);
    const all = texts(doc).join(' ');
    for (const noise of ['secret', 'Sidebar', 'Partner', 'Legal', 'Search', 'color:red']) expect(all).not.toContain(noise);
  });

  it('cites headings with the anchor of the heading or its enclosing section', () => {
    const doc = extractHtml(page, 'https://help.example.com/start/index.html#ignored');
    const byText = (text: string) => doc.sections.find((section) => section.text === text)!;
    expect(byText('Welcome to the help center. Read on.').location).toEqual({
      headings: ['Getting started'],
      url: 'https://help.example.com/start/index.html',
    });
    expect(byText('Invoices are sent monthly.').location).toEqual({
      headings: ['Getting started', 'Billing'],
      url: 'https://help.example.com/start/index.html#billing',
    });
    expect(byText('Plan: Pro; Messages: 10 000').location.url).toBe('https://help.example.com/start/index.html#limits');
  });

  it('lists same-origin links, absolute, without fragments, once each', () => {
    const doc = extractHtml(page + '<a href="/pricing">again</a>', 'https://help.example.com/start/index.html');
    expect(doc.links).toEqual([
      'https://help.example.com/',
      'https://help.example.com/pricing',
      'https://help.example.com/docs/',
      'https://help.example.com/docs/intro?x=1',
      'https://help.example.com/legal',
    ]);
  });

  it('uses the whole page when there is no <main>, and the first h1 when there is no <title>', async () => {
    const doc = await extractText('<body><nav>Menu</nav><h1>Plans</h1><p>Two plans.</p></body>', 'html');
    expect(doc.title).toBe('Plans');
    expect(texts(doc)).toEqual(['Plans', 'Two plans.']);
    expect(doc.links).toEqual([]);
  });

  it('keeps an article\'s own header while dropping the site header', () => {
    const doc = extractHtml('<header>Site banner</header><article><header><h1>Release notes</h1></header><p>New inbox.</p><footer>By the team</footer></article>');
    expect(texts(doc)).toEqual(['Release notes', 'New inbox.', 'By the team']);
  });

  it('ignores an invalid base URL instead of failing', () => {
    const doc = extractHtml('<a href="/x">x</a>', 'not a url');
    expect(doc.links).toEqual([]);
    expect(doc.sections[0].location).toEqual({});
  });

  it('falls back to the page when <main> is empty', () => {
    expect(texts(extractHtml('<main></main><div>Real text</div>'))).toEqual(['Real text']);
  });

  it('refuses a page without text', async () => {
    await expect(extractText('<html><script>x()</script><nav>Menu</nav></html>', 'html')).rejects.toThrow('The document has no text');
  });
});

describe('Markdown', () => {
  it('builds the heading path and keeps lists, code and tables', async () => {
    const doc = await extractText(
      [
        '# Pricing', '', 'Our plans are **simple**. See [the table](https://x.test).', '',
        '## Refunds', '', '- Within 30 days', '  with the receipt', '* Not for gifts', '1. Ask support', '',
        '```js', 'const a = 1;', '', 'const b = 2;', '```', '',
        '| Plan | Price |', '|------|------:|', '| Pro | 20 |', '| Team | 50 |', '',
        'Setext title', '============', '', 'After.', '', '### Deep', 'Text under deep.',
      ].join('\n'),
      'md',
    );
    expect(doc.title).toBe('Pricing');
    expect(doc.sections.map((section) => [section.kind, section.text, section.location.headings])).toEqual([
      ['heading', 'Pricing', ['Pricing']],
      ['paragraph', 'Our plans are simple. See the table.', ['Pricing']],
      ['heading', 'Refunds', ['Pricing', 'Refunds']],
      ['list-item', 'Within 30 days with the receipt', ['Pricing', 'Refunds']],
      ['list-item', 'Not for gifts', ['Pricing', 'Refunds']],
      ['list-item', 'Ask support', ['Pricing', 'Refunds']],
      ['code', 'const a = 1;\n\nconst b = 2;', ['Pricing', 'Refunds']],
      ['table-row', 'Plan: Pro; Price: 20', ['Pricing', 'Refunds']],
      ['table-row', 'Plan: Team; Price: 50', ['Pricing', 'Refunds']],
      ['heading', 'Setext title', ['Setext title']],
      ['paragraph', 'After.', ['Setext title']],
      ['heading', 'Deep', ['Setext title', 'Deep']],
      ['paragraph', 'Text under deep.', ['Setext title', 'Deep']],
    ]);
  });
});

describe('CSV', () => {
  it('turns every row into one table-row section with its column names', async () => {
    const doc = await extractText('Product,Price,Notes\r\nWidget,10,"Blue, small"\r\n\r\nGadget,,"Line one\nline two"\r\n', 'csv');
    expect(doc.sections.map((section) => [section.kind, section.text])).toEqual([
      ['table-row', 'Product: Widget; Price: 10; Notes: Blue, small'],
      ['table-row', 'Product: Gadget; Notes: Line one line two'],
    ]);
  });
});

describe('plain text', () => {
  it('splits paragraphs on blank lines and keeps line breaks inside them', async () => {
    const doc = await extractText('\uFEFFFirst line\r\nsecond   line\r\n\r\n \r\nNext paragraph.\n', 'txt');
    expect(texts(doc)).toEqual(['First line\nsecond line', 'Next paragraph.']);
  });

  it('refuses an empty or blank file', async () => {
    await expect(extractText(' \n\n\t ', 'txt')).rejects.toThrow(new ExtractionError('The document has no text'));
    await expect(extractText('', 'md')).rejects.toBeInstanceOf(ExtractionError);
  });
});

