import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page, type Response } from '@playwright/test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { makeDocx } from '../../scripts/fixtures/make-docx';
import { createOrganization, signUp } from './helpers';

const PDF_NAME = 'politica-devoluciones.pdf';
const DOCX_NAME = 'guia-envios.docx';

/** Three pages, one fact each, so search can cite the page. */
async function makeReturnsPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const pages = [
    ['Política comercial', 'Este documento resume las condiciones de compra en la tienda online.'],
    ['Devoluciones', 'El plazo de devolución es de 30 días naturales desde la entrega del pedido.'],
    ['Reembolsos', 'El reembolso se abona con el mismo método de pago en un máximo de cinco días hábiles.'],
  ];
  for (const [title, body] of pages) {
    const page = pdf.addPage([612, 792]);
    page.drawText(title, { x: 72, y: 720, size: 18, font: bold });
    page.drawText(body, { x: 72, y: 690, size: 11, font });
  }
  return Buffer.from(await pdf.save());
}

function makeShippingDocx(): Buffer {
  return Buffer.from(
    makeDocx([
      { heading: 'Guía de envíos', level: 1 },
      'Preparamos los pedidos en nuestro almacén de Valencia.',
      { heading: 'Islas', level: 2 },
      'Los envíos a Canarias tardan siete días laborables por el despacho de aduanas.',
    ]),
  );
}

/** A one-page site on loopback for the URL import (the e2e server allows private URLs). */
async function startSite() {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/garantia')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html lang="es"><head><title>Garantía de equipos</title></head><body><nav>Inicio · Tienda</nav>
        <main><h1 id="garantia">Garantía de equipos</h1><p>La garantía de los inversores solares es de diez años.</p>
        <h2 id="baterias">Baterías</h2><p>Las baterías tienen una garantía limitada por ciclos de carga.</p></main></body></html>`,
      );
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(done)) };
}

/** Toasts fade on their own; close them so screenshots show the page underneath. */
async function closeToasts(page: Page) {
  const close = page.getByRole('button', { name: 'Cerrar', exact: true });
  while ((await close.count()) > 0) await close.first().click();
  await expect(close).toHaveCount(0);
}

async function search(page: Page, query: string) {
  await page.getByLabel('Consulta').fill(query);
  const searched = page.waitForResponse((r) => r.url().endsWith('/search') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Buscar', exact: true }).click();
  const res = await searched;
  const body = await res.text();
  expect(res.status(), body).toBe(200);
  return JSON.parse(body) as { data: { documentName: string; content: string }[] };
}

let site: Awaited<ReturnType<typeof startSite>>;
test.beforeAll(async () => {
  site = await startSite();
});
test.afterAll(async () => {
  await site?.close();
});

test('upload a PDF, a DOCX and a web page, search them, delete the PDF', async ({ page }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  await signUp(page, { name: 'Lucía Fernández' });
  await createOrganization(page, 'Solar Canarias');
  await page.getByRole('link', { name: 'Conocimiento', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Conocimiento' })).toBeVisible();
  await expect(page.getByText('Aún no hay bases de conocimiento')).toBeVisible();

  await page.getByRole('button', { name: 'Nueva base de conocimiento' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Nueva base de conocimiento' });
  await createDialog.getByLabel('Nombre').fill('Centro de ayuda');
  await createDialog.getByLabel(/^Descripción/).fill('Políticas de la tienda y preguntas frecuentes');
  await expect(createDialog.getByLabel('Modelo de embeddings')).not.toHaveValue('');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/knowledge-bases') && r.request().method() === 'POST');
  await createDialog.getByRole('button', { name: 'Crear base de conocimiento' }).click();
  const createdRes = await created;
  expect(createdRes.status(), await createdRes.text()).toBe(201);
  await expect(page.getByRole('heading', { level: 1, name: 'Centro de ayuda' })).toBeVisible();
  await expect(page.getByText('Aún no hay documentos')).toBeVisible();

  // Two files at once through the file chooser, one request each.
  const uploads: Response[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('/documents/upload')) uploads.push(r);
  });
  // pdf-lib stamps dates and an id in every save, so keep these bytes for the duplicate check.
  const pdfBytes = await makeReturnsPdf();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /Suelta archivos aquí/ }).click();
  await (
    await chooser
  ).setFiles([
    { name: PDF_NAME, mimeType: 'application/pdf', buffer: pdfBytes },
    { name: DOCX_NAME, mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: makeShippingDocx() },
  ]);
  await expect.poll(() => uploads.length).toBe(2);
  for (const r of uploads) expect(r.status(), await r.text()).toBe(202);

  // A web page by URL.
  await page.getByRole('button', { name: 'Añadir', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Página web (URL)' }).click();
  const urlDialog = page.getByRole('dialog', { name: 'Importar una página web' });
  await urlDialog.getByLabel('URL de la página').fill(`${site.url}/garantia`);
  const added = page.waitForResponse((r) => /\/documents$/.test(r.url()) && r.request().method() === 'POST');
  await urlDialog.getByRole('button', { name: 'Importar' }).click();
  const addedRes = await added;
  expect(addedRes.status(), await addedRes.text()).toBe(202);

  // All three become ready while the table polls.
  const table = page.getByRole('table', { name: 'Documentos' });
  const row = (text: string) => table.getByRole('row').filter({ hasText: text });
  const host = new URL(site.url).host;
  for (const text of [PDF_NAME, DOCX_NAME, `${host}/garantia`]) {
    await expect(row(text).getByText('Listo', { exact: true }), `${text} should become ready`).toBeVisible({ timeout: 60_000 });
  }
  await expect(row(`${host}/garantia`)).toContainText('Garantía de equipos');
  await expect(page.getByText('3 documentos')).toBeVisible();
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/knowledge-documents.png', fullPage: true });

  // The same PDF again is recognised as a duplicate and names the existing document.
  const again = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /Suelta archivos aquí/ }).click();
  const duplicate = page.waitForResponse((r) => r.url().endsWith('/documents/upload'));
  await (await again).setFiles([{ name: 'copia.pdf', mimeType: 'application/pdf', buffer: pdfBytes }]);
  expect((await duplicate).status()).toBe(409);
  await expect(page.getByRole('status').filter({ hasText: `«copia.pdf» ya está en esta base de conocimiento como «${PDF_NAME}».` })).toBeVisible();
  await page.getByRole('button', { name: 'Descartar copia.pdf' }).click();

  // The search tester finds each document's fact.
  await page.getByRole('link', { name: 'Probar búsqueda' }).click();
  const results = page.getByRole('list', { name: 'Resultados de la búsqueda' });
  const checks = [
    { query: 'Cuál es el plazo de devolución', doc: PDF_NAME, fact: 'El plazo de devolución es de 30 días' },
    { query: 'Cuánto tardan los envíos a Canarias', doc: DOCX_NAME, fact: 'Los envíos a Canarias tardan siete días laborables' },
    { query: 'garantía de los inversores solares', doc: 'Garantía de equipos', fact: 'La garantía de los inversores solares es de diez años' },
  ];
  for (const { query, doc, fact } of checks) {
    const body = await search(page, query);
    expect(body.data[0]?.documentName, JSON.stringify(body.data.slice(0, 3), null, 1)).toBe(doc);
    const top = results.getByRole('listitem').first();
    await expect(top.getByRole('link', { name: doc })).toBeVisible();
    await expect(top).toContainText(fact);
  }
  await search(page, 'Cuál es el plazo de devolución');
  await expect(results.getByRole('listitem').first()).toContainText(/Página \d/);
  await expect(results.getByRole('listitem').first()).toContainText('Encontrado por');
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/knowledge-search.png', fullPage: true });

  // The document detail shows its chunks with their page.
  await results.getByRole('listitem').first().getByRole('link', { name: PDF_NAME }).click();
  await expect(page.getByRole('heading', { level: 1, name: PDF_NAME })).toBeVisible();
  const chunks = page.getByRole('list', { name: 'Fragmentos' });
  await expect(chunks).toContainText('El plazo de devolución es de 30 días');
  await expect(chunks).toContainText(/Página \d/);
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/knowledge-document.png', fullPage: true });

  // Delete the PDF from the table, confirmed.
  await page.getByRole('navigation', { name: 'Ruta de navegación' }).getByRole('link', { name: 'Centro de ayuda' }).click();
  await page.getByRole('button', { name: `Acciones para ${PDF_NAME}` }).click();
  await page.getByRole('menuitem', { name: 'Eliminar' }).click();
  const confirm = page.getByRole('dialog', { name: `¿Eliminar «${PDF_NAME}»?` });
  const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/documents/'));
  await confirm.getByRole('button', { name: 'Eliminar' }).click();
  expect((await deleted).status()).toBe(204);
  await expect(row(PDF_NAME)).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `«${PDF_NAME}» se eliminó.` })).toBeVisible();

  // The same search no longer returns it.
  await page.getByRole('link', { name: 'Probar búsqueda' }).click();
  const after = await search(page, 'Cuál es el plazo de devolución');
  expect(after.data.map((h) => h.documentName), JSON.stringify(after.data.slice(0, 3), null, 1)).not.toContain(PDF_NAME);
  await expect(page.getByText(/resultados en \d+ ms/)).toBeVisible();
  await expect(page.getByRole('link', { name: PDF_NAME })).toHaveCount(0);

  // The other screens, for a look at their design: settings, the list of bases, a phone.
  await page.getByRole('link', { name: 'Configuración', exact: true }).last().click();
  await expect(page.getByLabel('Tamaño del fragmento (tokens)')).toHaveValue('400');
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/knowledge-settings.png', fullPage: true });
  await page.getByRole('link', { name: '← Conocimiento' }).click();
  await expect(page.getByRole('link', { name: /Centro de ayuda/ })).toContainText('2 documentos');
  await page.screenshot({ path: 'test-results/screenshots/knowledge-bases.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: /Centro de ayuda/ }).click();
  await expect(table.getByRole('row')).toHaveCount(3);
  await page.screenshot({ path: 'test-results/screenshots/knowledge-documents-phone.png', fullPage: true });

});
