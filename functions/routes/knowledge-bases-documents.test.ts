import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { zipSync, strToU8 } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeDocx } from '../../scripts/fixtures/make-docx';
import { makePdf } from '../../scripts/fixtures/make-pdf';
import { ingestDocument } from '../core/ingest/process-document';
import { startLocalRuntime } from '../local-runtime';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { setupKnowledgeBase, settledDocument, searchKnowledgeBase } from '../testing/knowledge';

let api: TestApi;
let site: { server: Server; url: string; pages: Record<string, string> };

/** A small website on loopback: the URL and crawl imports read it (private URLs allowed in tests). */
function startSite() {
  const pages: Record<string, string> = {
    '/': `<html><head><title>Tienda Sol</title></head><body><nav>Menú</nav><main><h1 id="inicio">Tienda Sol</h1>
      <p>Vendemos paneles solares para viviendas.</p><a href="/envios">Envíos</a> <a href="/devoluciones#plazo">Devoluciones</a>
      <a href="/privado">Privado</a> <a href="https://elsewhere.example/">Fuera</a></main></body></html>`,
    '/envios': `<html><head><title>Envíos</title></head><body><main><h2 id="plazos">Plazos de envío</h2>
      <p>Los envíos a Canarias tardan siete días laborables.</p><a href="/envios/detalle">Detalle</a></main></body></html>`,
    '/envios/detalle': `<html><body><main><p>Página demasiado profunda con la palabra zanahoria.</p></main></body></html>`,
    '/devoluciones': `<html><head><title>Devoluciones</title></head><body><main><h2 id="plazo">Plazo</h2>
      <p>El plazo de devolución es de 30 días naturales.</p></main></body></html>`,
    '/privado': `<html><body><main><p>Contenido privado con la palabra berenjena.</p></main></body></html>`,
    '/mapa-solo': `<html><head><title>Garantía</title></head><body><main><p>La garantía de los inversores es de diez años.</p></main></body></html>`,
    '/robots.txt': 'User-agent: *\nDisallow: /privado\n',
    '/sitemap.xml': '<?xml version="1.0"?><urlset><url><loc>__ORIGIN__/mapa-solo</loc></url></urlset>',
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = pages[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const type = path.endsWith('.txt') ? 'text/plain' : path.endsWith('.xml') ? 'application/xml' : 'text/html; charset=utf-8';
    res.writeHead(200, { 'content-type': type }).end(body.replace('__ORIGIN__', `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  return new Promise<typeof site>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pages })),
  );
}

beforeAll(async () => {
  api = await createTestApi({ env: { ALLOW_PRIVATE_URLS: 'true', MAX_UPLOAD_BYTES: String(2 * 1024 * 1024) } });
  site = await startSite();
});
afterAll(async () => {
  await new Promise((done) => site.server.close(done));
  await api.close();
});

const setup = () => setupKnowledgeBase(api);
const settled = (user: TestUser, base: string, docId: string) => settledDocument(api, user, base, docId);
const search = (user: TestUser, base: string, query: string, extra?: Record<string, unknown>) => searchKnowledgeBase(api, user, base, query, extra);

describe('ingestion', () => {
  it('a text document becomes ready, its chunks keep their headings, and search finds it', async () => {
    const { user, base } = await setup();
    const text = '# Envíos\n\nLos pedidos salen en 24 horas.\n\n## Internacional\n\nEnviamos a Portugal y Francia en cinco días.';
    const created = await api.upload(`${base}/documents/upload`, { name: 'envios.md', bytes: new TextEncoder().encode(text), type: 'text/markdown' }, { token: user.token });
    expect(created.status, created.text).toBe(202);
    expect(created.body.status).toBe('pending');
    const doc = await settled(user, base, created.body.id);
    expect(doc).toMatchObject({ status: 'ready', source: 'file', mimeType: 'text/markdown' });
    expect(doc.chunkCount).toBeGreaterThan(0);
    expect(doc.chunksDone).toBe(doc.chunkCount);
    const chunks = await api.call('GET', `${base}/documents/${doc.id}/chunks`, { token: user.token });
    expect(chunks.body.data.some((c: { location: { headings?: string[] } }) => c.location.headings?.includes('Internacional'))).toBe(true);
    const hits = await search(user, base, '¿Envían a Francia?');
    expect(hits[0]).toMatchObject({ documentId: doc.id, documentName: 'envios.md' });
    expect(hits[0].content).toContain('Francia');
  });

  it('PDF pages keep their page numbers; an image-only PDF fails with the reason', async () => {
    const { user, base } = await setup();
    const pdf = await makePdf(5);
    const created = await api.upload(`${base}/documents/upload`, { name: 'manual.pdf', bytes: pdf, type: 'application/pdf' }, { token: user.token });
    expect(created.status, created.text).toBe(202);
    const doc = await settled(user, base, created.body.id);
    expect(doc, JSON.stringify(doc)).toMatchObject({ status: 'ready', pageCount: 5 });
    const chunks = await api.call('GET', `${base}/documents/${doc.id}/chunks?limit=200`, { token: user.token });
    const pages = new Set(chunks.body.data.map((c: { location: { page?: number } }) => c.location.page));
    expect([...pages].sort()).toEqual([1, 2, 3, 4, 5]);

    const blank = await PDFDocument.create();
    blank.addPage();
    const scanned = await api.upload(`${base}/documents/upload`, { name: 'scan.pdf', bytes: await blank.save(), type: 'application/pdf' }, { token: user.token });
    const failed = await settled(user, base, scanned.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/text layer|no text/i);
  });

  it('DOCX headings and tables are read; a corrupt DOCX fails without harm', async () => {
    const { user, base } = await setup();
    const docx = makeDocx([{ heading: 'Política de privacidad', level: 1 }, 'Guardamos los datos durante dos años.']);
    const created = await api.upload(`${base}/documents/upload`, { name: 'privacidad.docx', bytes: docx }, { token: user.token });
    expect(created.status, created.text).toBe(202);
    expect((await settled(user, base, created.body.id)).status).toBe('ready');
    expect((await search(user, base, 'cuánto tiempo guardan los datos'))[0].documentName).toBe('privacidad.docx');

    const corrupt = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8('<w:document><w:body><w:p>') });
    const bad = await api.upload(`${base}/documents/upload`, { name: 'roto.docx', bytes: corrupt }, { token: user.token });
    expect(bad.status, bad.text).toBe(202);
    expect((await settled(user, base, bad.body.id)).status).toBe('failed');
  });

  it('refuses spoofed types (415), oversize files (413), and duplicates (409)', async () => {
    const { user, base } = await setup();
    const fake = await api.upload(`${base}/documents/upload`, { name: 'informe.pdf', bytes: new TextEncoder().encode('not really a pdf'), type: 'application/pdf' }, { token: user.token });
    expect(fake.status, fake.text).toBe(415);
    expect(fake.body.error.code).toBe('unsupported_media_type');
    const binary = await api.upload(`${base}/documents/upload`, { name: 'notes.txt', bytes: new Uint8Array([0, 1, 2, 255, 0, 7]) }, { token: user.token });
    expect(binary.status).toBe(415);
    // Just over the 2 MB limit set for this suite (the transport allows a little framing on top).
    const big = await api.upload(`${base}/documents/upload`, { name: 'big.txt', bytes: new TextEncoder().encode('a '.repeat(1_050_000)) }, { token: user.token });
    expect(big.status, big.text).toBe(413);
    const bytes = new TextEncoder().encode('Horario: de lunes a viernes de 9 a 18.');
    const first = await api.upload(`${base}/documents/upload`, { name: 'horario.txt', bytes }, { token: user.token });
    const again = await api.upload(`${base}/documents/upload`, { name: 'copia.txt', bytes }, { token: user.token });
    expect(again.status, again.text).toBe(409);
    expect(again.body.error.details.existingDocumentId).toBe(first.body.id);
    const missing = await api.call('POST', `${base}/documents/upload`, { token: user.token, body: {} });
    expect([415, 422, 400]).toContain(missing.status);
  });

  it('raw text and Q&A pairs (one chunk per pair)', async () => {
    const { user, base } = await setup();
    const qa = await api.call('POST', `${base}/documents`, {
      token: user.token,
      body: {
        type: 'qa',
        name: 'FAQ',
        pairs: [
          { question: '¿Aceptan PayPal?', answer: 'Sí, aceptamos PayPal y tarjeta.' },
          { question: '¿Tienen tienda física?', answer: 'Sí, en Valencia, calle Colón 12.' },
        ],
      },
    });
    expect(qa.status, qa.text).toBe(202);
    const doc = await settled(user, base, qa.body.id);
    expect(doc).toMatchObject({ status: 'ready', chunkCount: 2, source: 'qa' });
    expect((await search(user, base, 'dónde está la tienda'))[0].content).toContain('Colón');
    const text = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'Nota', text: 'El teléfono de soporte es 900 123 456.' } });
    expect((await settled(user, base, text.body.id)).status).toBe('ready');
  });

  it('imports a web page by URL and refreshes it only when it changed', async () => {
    const { user, base } = await setup();
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'url', url: `${site.url}/devoluciones`, refreshSchedule: 'daily' } });
    expect(created.status, created.text).toBe(202);
    const doc = await settled(user, base, created.body.id);
    expect(doc).toMatchObject({ status: 'ready', name: 'Devoluciones', refreshSchedule: 'daily', sizeBytes: Buffer.byteLength(site.pages['/devoluciones']) });
    const [hit] = await search(user, base, 'plazo de devolución');
    expect(hit.location.url).toBe(`${site.url}/devoluciones#plazo`);

    const refreshed = await api.call('POST', `${base}/documents/${doc.id}/refresh`, { token: user.token });
    expect(refreshed.status).toBe(202);
    const unchanged = await settled(user, base, doc.id);
    expect(unchanged.lastRefreshedAt).not.toBe(doc.lastRefreshedAt);
    expect(unchanged.chunkCount).toBe(doc.chunkCount);

    const original = site.pages['/devoluciones'];
    site.pages['/devoluciones'] = original.replace('30 días naturales', '45 días naturales');
    onTestFinished(() => {
      site.pages['/devoluciones'] = original;
    });
    await api.call('POST', `${base}/documents/${doc.id}/refresh`, { token: user.token });
    await settled(user, base, doc.id);
    expect((await search(user, base, 'plazo de devolución'))[0].content).toContain('45 días');
  });

  it('refuses private and loopback URLs unless the deployment allows them', async () => {
    const strict = await createTestApi();
    onTestFinished(() => strict.close());
    const user = await strict.signUp();
    await strict.createOrg(user);
    const kb = await strict.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'k' } });
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost/admin', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/', 'http://[::1]/', 'file:///etc/passwd', 'http://2130706433/']) {
      const res = await strict.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: user.token, body: { type: 'url', url } });
      expect(res.status, `${url}: ${res.text}`).toBe(422);
    }
  });

  it('crawls a website: same site, depth limit, robots.txt, sitemap', async () => {
    const { user, base } = await setup();
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'website', url: `${site.url}/`, maxDepth: 1, maxPages: 20 } });
    expect(created.status, created.text).toBe(202);
    expect(created.body.status).toBe('processing');
    const website = await settled(user, base, created.body.id);
    expect(website.status, JSON.stringify(website)).toBe('ready');
    const pages = await api.call('GET', `${base}/documents?parent_id=${website.id}&limit=100`, { token: user.token });
    const urls = pages.body.data.map((p: { sourceUrl: string }) => new URL(p.sourceUrl).pathname).sort();
    expect(urls).toEqual(['/', '/devoluciones', '/envios', '/mapa-solo']);
    expect(website.crawl).toMatchObject({ pagesFound: 4, pagesDone: 4, maxDepth: 1 });
    expect((await search(user, base, 'cuánto tardan los envíos a Canarias'))[0].content).toContain('siete días');
    expect(JSON.stringify(await search(user, base, 'berenjena zanahoria'))).not.toMatch(/berenjena|zanahoria/);
    const top = await api.call('GET', `${base}/documents`, { token: user.token });
    expect(top.body.data.map((d: { id: string }) => d.id)).toEqual([website.id]);
  });

  it('deleting a document leaves no trace in search or in the vector store', async () => {
    const { user, kbId, base } = await setup();
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'Secreto', text: 'La contraseña del wifi de la oficina es girasol-2024.' } });
    await settled(user, base, created.body.id);
    expect((await search(user, base, 'contraseña wifi')).length).toBeGreaterThan(0);
    expect((await api.call('DELETE', `${base}/documents/${created.body.id}`, { token: user.token })).status).toBe(204);
    expect(await search(user, base, 'contraseña wifi girasol')).toEqual([]);
    const vectors = await api.runtime.services.db.execute(sql`select count(*)::int as n from local_vectors where namespace = ${`kb_${kbId}`}`);
    expect((vectors as unknown as { rows: Array<{ n: number }> }).rows[0].n).toBe(0);
    expect((await api.call('GET', `${base}/documents/${created.body.id}`, { token: user.token })).status).toBe(404);
  });

  it('a redelivered ingestion job leaves the same chunks and vectors', async () => {
    const { user, kbId, base } = await setup();
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'Largo', text: Array.from({ length: 80 }, (_, i) => `Párrafo ${i} sobre el producto número ${i}.`).join('\n\n') } });
    const doc = await settled(user, base, created.body.id);
    await ingestDocument(api.runtime.services, { documentId: doc.id, generation: 1 }, { retried: 0 });
    const again = await settled(user, base, doc.id);
    expect(again).toMatchObject({ status: 'ready', chunkCount: doc.chunkCount, chunksDone: doc.chunkCount });
    const vectors = await api.runtime.services.db.execute(sql`select count(*)::int as n from local_vectors where namespace = ${`kb_${kbId}`}`);
    expect((vectors as unknown as { rows: Array<{ n: number }> }).rows[0].n).toBe(doc.chunkCount);
  });

  it('a step that keeps failing is retried, then the document is failed with the reason', async () => {
    const { user, base } = await setup();
    const { vectors } = api.runtime.services;
    const upsert = vectors.upsert;
    vectors.upsert = async () => {
      throw new Error('vector store unavailable');
    };
    onTestFinished(() => {
      vectors.upsert = upsert;
    });
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'n', text: 'Texto que no llegará a indexarse.' } });
    const doc = await settled(user, base, created.body.id);
    expect(doc.status).toBe('failed');
    expect(doc.error).toMatch(/Gave up after 4 attempts: vector store unavailable/);
    expect(await search(user, base, 'indexarse')).toEqual([]);
  });

  it('finishes ingestion after a restart of the local server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'versaai-restart-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startLocalRuntime({ dataDir, env: {} });
    const call = async (rt: typeof first, method: string, path: string, token?: string, body?: unknown) => {
      const res = await rt.app.request(path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const reg = await call(first, 'POST', '/api/v1/auth/register', undefined, { email: 'restart@example.com', password: 'a-strong-password-1', name: 'R' });
    await call(first, 'POST', '/api/v1/organizations', reg.body.accessToken, { name: 'R' });
    const kb = await call(first, 'POST', '/api/v1/knowledge-bases', reg.body.accessToken, { name: 'k' });
    const doc = await call(first, 'POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, reg.body.accessToken, { type: 'text', name: 'n', text: 'Sobrevive al reinicio.' });
    expect(doc.body.status).toBe('pending');
    await first.close();

    const second = await startLocalRuntime({ dataDir, env: {}, runJobs: true });
    onTestFinished(() => second.close());
    const login = await call(second, 'POST', '/api/v1/auth/login', undefined, { email: 'restart@example.com', password: 'a-strong-password-1' });
    await second.queue.drain({ timeoutMs: 30_000 });
    const after = await call(second, 'GET', `/api/v1/knowledge-bases/${kb.body.id}/documents/${doc.body.id}`, login.body.accessToken);
    expect(after.body.status).toBe('ready');
  });
});
