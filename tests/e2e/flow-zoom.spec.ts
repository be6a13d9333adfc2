/**
 * Issue 15: zoomed out (a big flow fitted on screen), nodes are drawn as simplified blocks so
 * panning stays smooth; they keep their edges, their title and their problem marks, and zooming
 * back in brings the detailed nodes back.
 */
import { expect, test } from '@playwright/test';
import { node, openedFlow } from './flow-helpers';

const pos = (x: number) => ({ x, y: 0 });
/** start → "Bienvenida" → an unlabelled question whose outputs lead nowhere (a warning). */
const FLOW = {
  nodes: [
    { id: 'start', type: 'start', position: pos(0), data: {} },
    { id: 'hello', type: 'message', label: 'Welcome', position: pos(320), data: { text: 'Hi there' } },
    { id: 'ask', type: 'question', position: pos(640), data: { prompt: 'Sales or support?', variable: 'topic', choices: [{ id: 'a', label: 'Sales' }, { id: 'b', label: 'Support' }] } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'hello' },
    { id: 'e2', source: 'hello', sourceHandle: 'next', target: 'ask' },
  ],
};

test('flows: zoomed out, nodes are simplified blocks that keep their edges, title and problems', async ({ page }) => {
  test.setTimeout(120_000);
  await openedFlow(page, { user: 'Zoe Park', org: 'Park Bikes', bot: 'Bike helper', flow: 'Small flow' }, FLOW);
  await expect(node(page, 'ask')).toBeVisible();
  await expect(page.locator('[data-detail="far"]')).toHaveCount(0);
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);

  const zoomOut = page.getByRole('button', { name: 'Alejar' });
  for (let i = 0; i < 8 && (await page.locator('[data-detail="far"]').count()) === 0; i++) await zoomOut.click();
  await expect(page.locator('[data-detail="far"]')).toHaveCount(3);
  await expect(node(page, 'hello').locator('[data-node-id]')).toHaveText(/Welcome/);
  await expect(node(page, 'ask').locator('[data-node-id]')).toHaveText(/Pregunta/);
  // The question's outputs lead nowhere: its block is bordered in the warning colour.
  await expect(node(page, 'ask').locator('[data-node-id]')).toHaveClass(/border-amber-400/);
  // Edges stay attached (the hidden handles are still measured).
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.locator('.react-flow__edge path').first()).toHaveAttribute('d', /\d/);

  await page.getByRole('button', { name: 'Ajustar a la vista' }).click();
  await expect(page.locator('[data-detail="far"]')).toHaveCount(0);
  await expect(node(page, 'ask')).toContainText('Sales or support?');
});
