/**
 * Issue 15: a bad flow is refused at publish with its problems in the user's language, naming the
 * node (by label and id), in the checks list and on the canvas; the live checks while editing use
 * the same words. The server sends stable codes and params; the dashboard words them (es here).
 */
import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { node, openedFlow, SHOTS, waitSaved } from './flow-helpers';

const pos = (x: number) => ({ x, y: 0 });
/** start → "Saludo" (reads {{codigo}}, which nothing sets); "perdido" is wired to nothing. */
const BAD_FLOW = {
  nodes: [
    { id: 'start', type: 'start', position: pos(0), data: {} },
    { id: 'saludo', type: 'message', label: 'Saludo', position: pos(320), data: { text: 'Tu código es {{codigo}}' } },
    { id: 'perdido', type: 'message', position: pos(640), data: { text: 'Nadie llega aquí' } },
  ],
  edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'saludo' }],
};

const MISSING = 'El nodo “Saludo” (saludo) usa {{codigo}}, que ningún nodo guarda y el flujo no declara.';
const UNREACHABLE = 'No se puede llegar al nodo “perdido” desde el inicio.';
const DANGLING = 'La salida «Siguiente» del nodo “Saludo” (saludo) no lleva a ningún sitio; la conversación termina ahí.';

test('flows: publishing a bad flow is refused with Spanish messages naming the nodes, in the list and on the canvas', async ({ page }) => {
  test.setTimeout(120_000);
  await openedFlow(page, { user: 'Marta Ibáñez', org: 'Ferretería Ibáñez', bot: 'Asistente de la ferretería', flow: 'Flujo con errores' }, BAD_FLOW);
  await expect(node(page, 'saludo')).toBeVisible();
  const issues = page.getByTestId('flow-issues');

  // Live checks, before publishing: already worded in Spanish, errors and warnings alike.
  await expect(issues.getByText(MISSING)).toBeVisible();
  await expect(issues.getByText(UNREACHABLE)).toBeVisible();
  await expect(issues.getByText(DANGLING)).toBeVisible();

  // Publishing is refused: the server's codes and params, worded by the dashboard.
  const refused = page.waitForResponse((r) => r.url().endsWith('/publish'));
  await page.getByRole('button', { name: 'Publicar' }).click();
  const res = await refused;
  expect(res.status()).toBe(422);
  const body = (await res.json()) as { error: { code: string; details: { issues: Array<{ code: string; params: Record<string, string> }> } } };
  expect(body.error.code).toBe('flow_invalid');
  expect(body.error.details.issues).toContainEqual(expect.objectContaining({ code: 'unreachable', params: { node: 'perdido' } }));
  await expect(page.getByText('No se pudo publicar: corrige los errores de abajo.')).toBeVisible();
  await expect(issues.getByText(MISSING)).toBeVisible();
  await expect(issues.getByText(UNREACHABLE)).toBeVisible();
  // No English left over from the server's own message.
  await expect(issues).not.toContainText('cannot be reached');

  // The canvas marks the nodes, in the same words.
  // Errors come first on a node (perdido also has a dangling output, a warning).
  await expect(node(page, 'perdido').getByRole('note')).toHaveText(`${UNREACHABLE} (+1)`);
  await expect(node(page, 'saludo').getByRole('note')).toContainText('usa {{codigo}}');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/flow-validation-es.png`, fullPage: true });

  // Deleting the unreachable node in the editor: the live checks drop its error.
  await node(page, 'perdido').click();
  await page.getByRole('button', { name: 'Eliminar selección' }).click();
  await expect(issues.getByText(UNREACHABLE)).toBeHidden();
  await waitSaved(page);
});
