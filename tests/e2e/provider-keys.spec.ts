import { expect, test } from '@playwright/test';
import { startFakeOpenAI, type FakeOpenAI } from '../../functions/testing/fake-openai';
import { createOrganization, signUp } from './helpers';

// Saving a key checks it with the provider (GET {baseUrl}/models): a local OpenAI-compatible server answers.
let llm: FakeOpenAI;
test.beforeAll(async () => {
  llm = await startFakeOpenAI();
});
test.afterAll(() => llm.close());

test('set and remove an OpenAI-compatible server key; the key is never shown', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signUp(page);
  await createOrganization(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('link', { name: 'Proveedores de modelos' }).click();
  await expect(page.getByText('tiene prioridad sobre las claves del entorno del servidor')).toBeVisible();

  const card = page.getByRole('group', { name: 'Servidor compatible con OpenAI' });
  await expect(card.getByText('Sin configurar')).toBeVisible();
  await expect(page.getByRole('group', { name: 'OpenAI', exact: true }).getByText('Sin configurar')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Groq' }).getByText('Sin configurar')).toBeVisible();

  const secret = 'local-secret-key-e2e-7b3f';
  await card.getByLabel('Clave de API').fill(secret);
  await card.getByLabel('URL base').fill(llm.url);
  await card.getByLabel('Nombres de los modelos').fill('mi-modelo');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/provider-keys/compatible') && r.request().method() === 'PUT');
  const modelsReloaded = page.waitForResponse((r) => r.url().endsWith('/api/v1/models') && r.request().method() === 'GET');
  await card.getByRole('button', { name: 'Guardar clave' }).click();
  const res = await saved;
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.text();
  expect(body).not.toContain(secret);
  expect(JSON.parse(body)).toMatchObject({ provider: 'compatible', keyHint: '…7b3f', baseUrl: llm.url, models: ['mi-modelo'] });
  // The chatbot pages' model list is refreshed after a change.
  await modelsReloaded;

  await expect(page.getByRole('status').filter({ hasText: 'Servidor compatible con OpenAI: clave comprobada con el proveedor y guardada.' })).toBeVisible();
  await expect(card.getByText('Configurado (…7b3f)')).toBeVisible();
  await expect(card.getByText('Modelos: mi-modelo')).toBeVisible();
  await expect(card.getByLabel('Nueva clave de API')).toHaveValue('');
  await expect(card.getByRole('button', { name: 'Reemplazar clave' })).toBeVisible();
  await expect(page.locator('body')).not.toContainText(secret);
  expect(await page.content()).not.toContain(secret);

  // Still configured after a reload, and still without the key.
  await page.reload();
  await expect(card.getByText('Configurado (…7b3f)')).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  await page.screenshot({ path: 'test-results/screenshots/settings-providers.png', fullPage: true });

  await card.getByRole('button', { name: 'Quitar clave: Servidor compatible con OpenAI' }).click();
  const dialog = page.getByRole('dialog', { name: '¿Quitar clave: Servidor compatible con OpenAI?' });
  await expect(dialog).toBeVisible();
  const removed = page.waitForResponse((r) => r.url().endsWith('/api/v1/provider-keys/compatible') && r.request().method() === 'DELETE');
  await dialog.getByRole('button', { name: 'Quitar clave' }).click();
  expect((await removed).status()).toBe(204);
  await expect(dialog).toBeHidden();
  await expect(card.getByText('Sin configurar')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Guardar clave' })).toBeVisible();
});
