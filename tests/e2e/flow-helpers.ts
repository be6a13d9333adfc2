/** What the flow specs share: a dashboard user with an organization, a deployed bot, and the editor's canvas. */
import { resolve } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { createOrganization, signUp } from './helpers';

export const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');
export type Auth = Record<string, string>;

export async function dashboardUser(page: Page, name: string, orgName: string): Promise<Auth> {
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, orgName);
  const org = (await (await orgCreated).json()) as { id: string };
  return { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };
}

/** A deployed bot (through the API: the bot is not what these tests are about). */
export async function deployedBot(page: Page, auth: Auth, name: string) {
  const res = await page.request.post('/api/v1/chatbots', { headers: auth, data: { name, widget: { title: name } } });
  expect(res.status(), await res.text()).toBe(201);
  const bot = (await res.json()) as { id: string };
  const deployed = await page.request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth });
  expect(deployed.status(), await deployed.text()).toBe(200);
  return bot;
}

/** A new account with a deployed bot and a flow made of `document` (through the API), open in the editor. */
export async function openedFlow(page: Page, names: { user: string; org: string; bot: string; flow: string }, document: unknown) {
  await page.setViewportSize({ width: 1440, height: 1000 });
  const auth = await dashboardUser(page, names.user, names.org);
  const bot = await deployedBot(page, auth, names.bot);
  const created = await page.request.post(`/api/v1/chatbots/${bot.id}/flows`, { headers: auth, data: { name: names.flow, document } });
  expect(created.status(), await created.text()).toBe(201);
  await page.goto(`/chatbots/${bot.id}?tab=flow`);
  await page.getByRole('button', { name: 'Abrir' }).first().click();
}

/** Opens the Flow tab and creates a blank flow; the editor opens on it. */
export async function newFlow(page: Page, botId: string, name: string) {
  await page.goto(`/chatbots/${botId}?tab=flow`);
  await page.getByRole('button', { name: 'Nuevo flujo' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nuevo flujo' });
  await dialog.getByLabel('Nombre').fill(name);
  const created = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${botId}/flows`) && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Crear' }).click();
  const res = await created;
  expect(res.status(), await res.text()).toBe(201);
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
  return (await res.json()) as { id: string };
}

export const canvas = (page: Page) => page.getByRole('region', { name: 'Lienzo del flujo' });
export const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
export const panel = (page: Page) => page.locator('aside');

export async function selectNode(page: Page, id: string) {
  // The view follows the last added node; fit the whole flow so any node can be clicked.
  await page.getByRole('button', { name: 'Ajustar a la vista' }).click();
  await node(page, id).click();
  await expect(panel(page).getByText(`Id: ${id}`)).toBeVisible();
}

export async function wire(page: Page, from: string, output: string, to: string) {
  await selectNode(page, from);
  await panel(page).getByLabel(`${output} →`).selectOption(to);
}

export async function waitSaved(page: Page) {
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved', { timeout: 15_000 });
}

/** Drag a node's output handle onto another node's input handle, as a person connects them. */
export async function dragConnect(page: Page, fromHandle: Locator, toHandle: Locator) {
  const a = (await fromHandle.boundingBox())!;
  const b = (await toHandle.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

