import { expect, test } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { createOrganization, fillSignIn, PASSWORD, signOut, signUp } from './helpers';

test('sign up, create an organization, and see it on the overview', async ({ page }) => {
  const { name } = await signUp(page);
  const org = await createOrganization(page);
  await expect(page.getByText('Tu rol')).toBeVisible();
  await expect(page.getByText('Propietario')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Primeros pasos' })).toBeVisible();
  // The shell reflects the new organization and the signed-in user.
  await expect(page.getByLabel('Organización')).toHaveValue(/.+/);
  await expect(page.getByLabel('Organización').locator('option:checked')).toHaveText(org);
  await expect(page.getByRole('button', { name: `Menú de la cuenta de ${name}` })).toBeVisible();
});

test('sign out, then sign back in', async ({ page }) => {
  const { name, email } = await signUp(page);
  const org = await createOrganization(page);
  await signOut(page, name);
  // The guard now sends protected pages back to sign-in, keeping where we wanted to go.
  await page.goto('/team');
  await expect(page).toHaveURL(/\/sign-in\?redirect=%2Fteam/);
  const res = await fillSignIn(page, email, PASSWORD);
  expect(res.status()).toBe(200);
  await expect(page).toHaveURL(/\/team$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Equipo' })).toBeVisible();
  await page.getByRole('link', { name: 'Resumen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: org })).toBeVisible();
});

test('a wrong password shows an error', async ({ page }) => {
  const { name, email } = await signUp(page);
  await createOrganization(page);
  await signOut(page, name);
  const res = await fillSignIn(page, email, 'not-the-password');
  expect(res.status()).toBe(401);
  await expect(page.getByRole('alert')).toHaveText('Correo o contraseña incorrectos.');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('verify the email through the dev outbox link', async ({ page }) => {
  await signUp(page);
  await createOrganization(page);
  await page.getByRole('link', { name: 'Buzón de desarrollo' }).click();
  const link = page.getByRole('link', { name: /\/verify-email\?token=/ }).first();
  await expect(link).toBeVisible();
  const verified = page.waitForResponse((r) => r.url().includes('/api/v1/auth/verify-email'));
  await link.click();
  expect((await verified).status()).toBe(200);
  await expect(page.getByText('Tu correo está verificado. ¡Gracias!')).toBeVisible();
  await page.getByRole('link', { name: 'Continuar a VersaAI' }).click();
  // The getting-started checklist lists the verification only while it is pending.
  await expect(page.getByRole('listitem').filter({ hasText: 'Añade lo que tu asistente debe saber' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Verifica tu correo' })).toHaveCount(0);
});

test('two-factor: enable, sign out, sign in with a code', async ({ page }) => {
  const { name, email } = await signUp(page);
  await createOrganization(page);
  await page.getByRole('button', { name: `Menú de la cuenta de ${name}` }).click();
  await page.getByRole('link', { name: 'Perfil' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Perfil' })).toBeVisible();

  await page.getByRole('button', { name: 'Activar 2FA' }).click();
  await expect(page.getByRole('img', { name: /Código QR/ })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
  await page.getByLabel('Código de verificación').fill(totp.generate());
  const verified = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/2fa/verify'));
  await page.getByRole('button', { name: 'Verificar y activar' }).click();
  const res = await verified;
  expect(res.status(), await res.text()).toBe(200);
  const codes = page.getByRole('list', { name: 'Códigos de respaldo' }).getByRole('listitem');
  await expect(codes.first()).toBeVisible();
  expect(await codes.count()).toBeGreaterThanOrEqual(8);
  await page.getByRole('button', { name: 'Ya los guardé' }).click();
  await expect(page.getByText('Activada', { exact: true })).toBeVisible();

  await signOut(page, name);
  const login = await fillSignIn(page, email, PASSWORD);
  expect(await login.json()).toMatchObject({ twoFactorRequired: true });
  await expect(page.getByRole('heading', { name: 'Verificación en dos pasos' })).toBeVisible();
  // A TOTP code is accepted once: use the next time step (the server allows ±1 step).
  await page.getByLabel('Código de verificación').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  const second = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login/2fa'));
  await page.getByRole('button', { name: 'Verificar e iniciar sesión' }).click();
  const secondRes = await second;
  expect(secondRes.status(), await secondRes.text()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Primeros pasos' })).toBeVisible();
});
