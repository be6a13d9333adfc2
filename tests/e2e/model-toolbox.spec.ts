import { expect, test } from '@playwright/test';
import { createOrganization, signUp } from './helpers';

/** The chatbot's Models tab (toolbox by task and routing rule) and the provider presets in Settings. */
test('a model in the toolbox for a task, suggested routing rules saved, presets offered in Settings', async ({ page }) => {
  test.setTimeout(90_000);
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Rosa Vidal' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Óptica Norte');
  const org = (await (await orgCreated).json()) as { id: string };
  const bot = await page.request.post('/api/v1/chatbots', {
    headers: { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id },
    data: { name: 'Asistente' },
  });
  expect(bot.status()).toBe(201);
  const { id } = (await bot.json()) as { id: string };

  await page.goto(`/chatbots/${id}?tab=models`);
  await expect(page.getByRole('heading', { name: 'Caja de herramientas de modelos' })).toBeVisible();
  await expect(page.getByText('Aún no hay modelos')).toBeVisible();
  await page.getByLabel('Modelo', { exact: true }).selectOption('builtin:extractive');
  await page.getByLabel('Tarea', { exact: true }).selectOption('fast');
  await page.getByLabel('Precio de entrada (USD por millón de tokens, opcional)').fill('0.05');
  await page.getByRole('button', { name: 'Añadir modelo' }).click();
  await expect(page.getByText('Modelo añadido a la caja de herramientas.')).toBeVisible();
  const entry = page.getByRole('listitem').filter({ hasText: 'Rápida' });
  await expect(entry).toContainText('$0.05 / $0 por millón de tokens');

  await page.getByRole('button', { name: 'Usar reglas sugeridas' }).click();
  await page.getByRole('button', { name: 'Guardar enrutado' }).click();
  await expect(page.getByText('Enrutado guardado.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: /^Quitar la regla/ })).toHaveCount(3);

  await page.goto('/settings/providers');
  await expect(page.getByRole('heading', { name: 'Más proveedores' })).toBeVisible();
  for (const name of ['Mistral AI', 'DeepSeek', 'Ollama (local)']) await expect(page.getByRole('group', { name })).toBeVisible();
});
