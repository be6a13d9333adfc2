import { expect, test } from '@playwright/test';
import { createOrganization, invitationLink, PASSWORD, signUp, uniqueEmail } from './helpers';

test('sign up, create an organization, invite a member who signs up and accepts', async ({ page, browser, request }) => {
  await signUp(page, { name: 'Olga Dueña' });
  const orgName = await createOrganization(page);
  await page.getByRole('link', { name: 'Equipo' }).click();
  const teammate = uniqueEmail('agent');
  await page.getByLabel('Correo electrónico').fill(teammate);
  await page.getByLabel('Rol', { exact: true }).selectOption('agent');
  await page.getByRole('button', { name: 'Enviar invitación' }).click();
  await expect(page.getByRole('list', { name: 'Invitaciones pendientes' }).getByText(teammate)).toBeVisible();

  // The invitee opens the link in their own browser, creates an account with that email, and accepts.
  const invitee = await browser.newContext({ locale: 'es-ES' });
  const other = await invitee.newPage();
  await other.goto(await invitationLink(request, teammate));
  await expect(other.getByText(`Te han invitado a unirte a ${orgName} como Agente.`)).toBeVisible();
  await other.getByRole('link', { name: 'Crear cuenta' }).click();
  await other.getByLabel('Nombre completo').fill('Pablo Agente');
  await expect(other.getByLabel('Correo electrónico')).toHaveValue(teammate);
  await other.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
  await other.getByRole('button', { name: 'Crear cuenta' }).click();
  await other.getByRole('button', { name: 'Aceptar invitación' }).click();
  await expect(other.getByRole('heading', { level: 1, name: orgName })).toBeVisible();
  await other.screenshot({ path: 'test-results/screenshots/team-invitee-joined.png', fullPage: true });
  await invitee.close();

  // The owner sees the new member, and the invitation is no longer pending.
  await page.reload();
  const members = page.getByRole('table');
  await expect(members.getByText('Pablo Agente', { exact: true })).toBeVisible();
  await expect(members.getByLabel('Rol de Pablo Agente')).toHaveValue('agent');
  await expect(page.getByRole('list', { name: 'Invitaciones pendientes' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/team-members.png', fullPage: true });
});
