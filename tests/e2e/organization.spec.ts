import { expect, test } from '@playwright/test';
import { createOrganization, signUp, uniqueEmail } from './helpers';

test('invite a teammate and see the pending invitation', async ({ page }) => {
  await signUp(page);
  await createOrganization(page);
  await page.getByRole('link', { name: 'Equipo' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Equipo' })).toBeVisible();
  const teammate = uniqueEmail('teammate');
  await page.getByLabel('Correo electrónico').fill(teammate);
  await page.getByLabel('Rol', { exact: true }).selectOption('admin');
  const invited = page.waitForResponse((r) => r.url().endsWith('/members/invite'));
  await page.getByRole('button', { name: 'Enviar invitación' }).click();
  const res = await invited;
  expect(res.status(), await res.text()).toBe(201);
  const pending = page.getByRole('list', { name: 'Invitaciones pendientes' });
  await expect(pending.getByText(teammate)).toBeVisible();
  await expect(pending.getByText('Administrador')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: `Invitación enviada a ${teammate}.` })).toBeVisible();
});

test('create an API key, shown once, then listed', async ({ page }) => {
  await signUp(page);
  await createOrganization(page);
  await page.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('link', { name: 'Claves de API' }).click();
  await expect(page.getByText('Aún no hay claves de API')).toBeVisible();
  await page.getByLabel('Nombre', { exact: true }).fill('CI server');
  await page.getByRole('checkbox', { name: /^Administración/ }).uncheck();
  await page.getByLabel('Peticiones por minuto').fill('60');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/api-keys') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Crear clave' }).click();
  expect((await created).status()).toBe(201);
  await expect(page.getByLabel('Nueva clave de API')).toHaveText(/\S{20,}/);
  await expect(page.getByRole('cell', { name: 'CI server Agente' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Lectura Chat', exact: true })).toBeVisible();
  await expect(page.getByText('60 por minuto')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Revocar la clave CI server' })).toBeVisible();

  // Scopes and the limit can change later; the key stays the same.
  await page.getByRole('button', { name: 'Editar la clave CI server' }).click();
  const dialog = page.getByRole('dialog', { name: 'Editar «CI server»' });
  await dialog.getByLabel('Peticiones por minuto').fill('');
  await dialog.getByRole('checkbox', { name: /^Administración/ }).check();
  const saved = page.waitForResponse((r) => r.url().includes('/api/v1/api-keys/') && r.request().method() === 'PATCH');
  await dialog.getByRole('button', { name: 'Guardar cambios' }).click();
  expect((await saved).status()).toBe(200);
  await expect(page.getByRole('cell', { name: 'Lectura Chat Administración', exact: true })).toBeVisible();
  await expect(page.getByText('Sin límite')).toBeVisible();
});

test('switch the language to English and back', async ({ page }) => {
  const { name } = await signUp(page);
  await createOrganization(page);
  await expect(page.getByRole('link', { name: 'Resumen' })).toBeVisible();

  await page.getByRole('button', { name: `Menú de la cuenta de ${name}` }).click();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('link', { name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Getting started' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // The choice survives a reload.
  await page.reload();
  await expect(page.getByRole('link', { name: 'Overview' })).toBeVisible();

  await page.getByRole('button', { name: `Account menu for ${name}` }).click();
  await page.getByRole('button', { name: 'Español' }).click();
  await expect(page.getByRole('link', { name: 'Resumen' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Primeros pasos' })).toBeVisible();
});

test('screenshots of the main pages', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 820 });
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Hola de nuevo' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/sign-in.png' });

  const { name } = await signUp(page, { name: 'Lucía Fernández' });
  await createOrganization(page, 'Clínica Dental Sonrisa');
  await page.screenshot({ path: 'test-results/screenshots/overview.png', fullPage: true });

  await page.getByRole('link', { name: 'Equipo' }).click();
  await page.getByLabel('Correo electrónico').fill(uniqueEmail('marta'));
  const invited = page.waitForResponse((r) => r.url().endsWith('/members/invite'));
  await page.getByRole('button', { name: 'Enviar invitación' }).click();
  await invited;
  await expect(page.getByRole('list', { name: 'Invitaciones pendientes' }).getByRole('listitem')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/screenshots/team.png', fullPage: true });

  await page.getByRole('button', { name: `Menú de la cuenta de ${name}` }).click();
  await page.getByRole('link', { name: 'Perfil' }).click();
  await expect(page.getByRole('heading', { name: 'Sesiones activas' })).toBeVisible();
  await expect(page.getByText('Este dispositivo')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/profile.png', fullPage: true });

  // Dark mode and phone width on the overview.
  await page.getByRole('link', { name: 'Resumen' }).click();
  await page.getByRole('button', { name: `Menú de la cuenta de ${name}` }).click();
  await page.getByRole('button', { name: 'Cambiar a modo oscuro' }).click();
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('heading', { name: 'Primeros pasos' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/overview-dark-phone.png', fullPage: true });
});
