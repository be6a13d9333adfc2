/**
 * Issue 13: "try it with a sample shop" from the dashboard. A new organization's overview offers
 * it; one click creates the knowledge base and a deployed bot, and the shop's page (opened from
 * the card) shows the real widget, which answers from the sample documents.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createOrganization, signUp } from './helpers';

const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

test('the overview creates the sample shop; its page answers from the sample documents', async ({ page, context }) => {
  test.setTimeout(150_000);
  mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await signUp(page, { name: 'Nuria Prieto' });
  await createOrganization(page, 'Mi tienda');

  await expect(page.getByRole('heading', { name: 'Pruébalo con una tienda de ejemplo' })).toBeVisible();
  const created = page.waitForResponse((r) => r.url().endsWith('/deploy') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Probar con una tienda de ejemplo' }).click();
  expect((await created).status()).toBe(200);
  await expect(page.getByText(/^Listo: abre la página de la tienda/)).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/sample-shop-card.png` });

  const opened = context.waitForEvent('page');
  await page.getByRole('link', { name: 'Abrir la página de la tienda' }).click();
  const shop = await opened;
  await expect(shop.getByRole('heading', { name: 'Floristería Las Camelias' })).toBeVisible();
  await shop.getByRole('button', { name: '¿Te ayudo?' }).or(shop.getByRole('button', { name: 'Abrir chat' })).first().click();
  const widget = shop.getByRole('dialog', { name: 'Floristería Las Camelias' });
  await expect(widget).toBeVisible();
  const input = widget.getByRole('textbox', { name: 'Escribe tu mensaje…' });
  await input.fill('¿Hacéis envíos el mismo día?');
  await input.press('Enter');
  await expect(widget.locator('.m.a').last()).toContainText('antes de las 13:00', { timeout: 30_000 });
  await shop.screenshot({ path: `${SHOTS}/sample-shop-page.png` });

  // Once the organization has a chatbot the overview no longer offers it; the bot is in the list.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Mi tienda' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Probar con una tienda de ejemplo' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Chatbots', exact: true }).click();
  await expect(page.getByRole('link', { name: /Camelia/ }).first()).toBeVisible();
});
