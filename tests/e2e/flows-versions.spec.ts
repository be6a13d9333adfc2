/**
 * Issue 15: the flow editor's lifecycle around the canvas. A flow made from a template publishes
 * as it is; an edit becomes version 2; version 1 can be viewed read-only and restored into the
 * draft; the draft round-trips through Export/Import JSON (and a broken file is refused); two
 * people editing the same flow get the conflict banner instead of silently overwriting each other.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { dashboardUser, deployedBot, node, panel, selectNode, waitSaved } from './flow-helpers';

const DECLINED = 'De acuerdo. Pregúntame lo que quieras.';

async function publish(page: Page, expectedVersion: number) {
  const published = page.waitForResponse((r) => r.url().endsWith('/publish'));
  await page.getByRole('button', { name: 'Publicar' }).click();
  const res = await published;
  expect(res.status(), await res.text()).toBe(201);
  await expect(page.getByText(`La versión ${expectedVersion} está activa.`)).toBeVisible();
}

async function setDeclinedText(page: Page, text: string) {
  await selectNode(page, 'declined');
  await panel(page).getByLabel(/^Texto/).fill(text);
  await expect(node(page, 'declined')).toContainText(text);
  await waitSaved(page);
}

test('flows: template, versions viewed and restored, JSON export and import, and the edit conflict banner', async ({ page, context }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 1000 });
  const auth = await dashboardUser(page, 'Irene Soler', 'Librería Soler');
  const bot = await deployedBot(page, auth, 'Asistente de la librería');

  // From a template: a working flow, publishable as it comes.
  await page.goto(`/chatbots/${bot.id}?tab=flow`);
  await page.getByRole('button', { name: 'Desde una plantilla' }).click();
  const dialog = page.getByRole('dialog', { name: 'Desde una plantilla' });
  await dialog.getByLabel('Elige una plantilla').selectOption('faq_handoff');
  await expect(dialog.getByText('Responde con tu base de conocimiento y ofrece una persona cuando no está segura.')).toBeVisible();
  const created = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}/flows`) && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Crear' }).click();
  const flow = (await (await created).json()) as { id: string };
  await expect(node(page, 'declined')).toContainText(DECLINED);
  await publish(page, 1);

  // An edit, published as version 2.
  await setDeclinedText(page, 'Vale. ¿En qué más te ayudo?');
  await publish(page, 2);

  // Version 1, read-only, then restored into the draft.
  await page.getByRole('button', { name: 'Versiones' }).click();
  const versions = page.getByRole('dialog', { name: 'Versiones publicadas' });
  await expect(versions.getByText('Versión 2')).toBeVisible();
  await versions.getByRole('listitem').filter({ hasText: 'Versión 1' }).getByRole('button', { name: 'Ver' }).click();
  await expect(page.getByText('Viendo la versión 1 (solo lectura).')).toBeVisible();
  await expect(node(page, 'declined')).toContainText(DECLINED);
  await page.getByRole('button', { name: 'Restaurar' }).click();
  await expect(page.getByText('Versión 1 copiada al borrador.')).toBeVisible();
  await expect(page.getByText('Viendo la versión 1 (solo lectura).')).toBeHidden();
  await expect(node(page, 'declined')).toContainText(DECLINED);
  await waitSaved(page);

  // Export JSON: the draft as a file the shared schema reads back.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exportar JSON' }).click();
  const file = await (await download).path();
  const exported = JSON.parse(await readFile(file, 'utf8')) as { nodes: Array<{ id: string; data: Record<string, unknown> }> };
  const declined = exported.nodes.find((n) => n.id === 'declined')!;
  expect(declined.data.text).toBe(DECLINED);

  // Import JSON: an edited copy replaces the draft; a broken one is refused with the reason.
  declined.data.text = 'Importado: pregúntame otra cosa.';
  await page.getByTestId('flow-import').setInputFiles({ name: 'flujo.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
  await expect(page.getByText('Flujo importado. Deshaz para volver atrás.')).toBeVisible();
  await expect(node(page, 'declined')).toContainText('Importado: pregúntame otra cosa.');
  await waitSaved(page);
  await page.getByTestId('flow-import').setInputFiles({ name: 'roto.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ nodes: 'no' })) });
  await expect(page.getByText(/Este archivo no es un flujo válido/)).toBeVisible();
  await expect(node(page, 'declined')).toContainText('Importado: pregúntame otra cosa.');

  // Two people on the same flow: the later save is refused with a banner, not lost silently.
  const other = await context.newPage();
  await other.setViewportSize({ width: 1440, height: 1000 });
  await other.goto(`/chatbots/${bot.id}?tab=flow`);
  await other.getByRole('button', { name: 'Abrir' }).first().click();
  await expect(node(other, 'declined')).toContainText('Importado');
  await setDeclinedText(other, 'Cambio de la otra pestaña.');
  await selectNode(page, 'declined');
  await panel(page).getByLabel(/^Texto/).fill('Cambio de esta pestaña.');
  await expect(page.getByText('Otra persona cambió este flujo. Recárgalo para ver su versión, o conserva la tuya y sobrescribe la suya.')).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Recargar' }).click();
  await expect(node(page, 'declined')).toContainText('Cambio de la otra pestaña.');
  const stored = await page.request.get(`/api/v1/chatbots/${bot.id}/flows/${flow.id}`, { headers: auth });
  expect(JSON.stringify(((await stored.json()) as { draft: unknown }).draft)).toContain('Cambio de la otra pestaña.');
  await other.close();
});
