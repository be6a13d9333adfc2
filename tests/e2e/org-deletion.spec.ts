import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { createOrganization, fillSignIn, invitationLink, PASSWORD, signUp, uniqueEmail } from './helpers';

/**
 * Deleting an organization (issue 18, account lifecycle): the owner schedules it in Settings →
 * Organization by typing its name and their password, sees the date it will be purged, downloads
 * the final export (JSON with the organization's data) and cancels. An admin of the same
 * organization never sees the control.
 */

/** An admin of the organization: signed up, invited by the owner and accepted, all through the API. */
async function adminOf(request: APIRequestContext, ownerAuth: Record<string, string>, orgId: string) {
  const email = uniqueEmail('admin');
  const registered = await request.post('/api/v1/auth/register', { data: { name: 'Íñigo Admin', email, password: PASSWORD } });
  expect(registered.status(), await registered.text()).toBe(201);
  const { accessToken } = (await registered.json()) as { accessToken: string };
  const invited = await request.post(`/api/v1/organizations/${orgId}/members/invite`, { headers: ownerAuth, data: { email, role: 'admin' } });
  expect(invited.status(), await invited.text()).toBe(201);
  const token = (await invitationLink(request, email)).split('/').pop();
  const accepted = await request.post('/api/v1/invitations/accept', { headers: { Authorization: `Bearer ${accessToken}` }, data: { token } });
  expect(accepted.status(), await accepted.text()).toBe(200);
  return email;
}

test('the owner schedules the organization\u2019s deletion, downloads the final export and cancels; an admin has no such control', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Olga Dueña' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  const orgName = await createOrganization(page, 'Ferretería Olmo');
  const org = (await (await orgCreated).json()) as { id: string };
  const auth = { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };
  const bot = await page.request.post('/api/v1/chatbots', { headers: auth, data: { name: 'Olmo', model: 'builtin:extractive' } });
  expect(bot.status(), await bot.text()).toBe(201);

  await page.goto('/settings');
  const card = page.getByTestId('org-deletion');
  await expect(card).toBeVisible();

  // Scheduling asks for the organization's name, typed, and the owner's password.
  await card.getByRole('button', { name: 'Programar eliminación' }).click();
  const confirm = page.getByRole('dialog', { name: `¿Programar la eliminación de ${orgName}?` });
  await expect(confirm).toBeVisible();
  const confirmButton = confirm.getByRole('button', { name: 'Programar eliminación' });
  await confirm.getByLabel('Tu contraseña').fill(PASSWORD);
  await confirm.getByLabel(`Escribe «${orgName}» para confirmar`).fill('Ferretería');
  await expect(confirmButton).toBeDisabled();
  await confirm.getByLabel(`Escribe «${orgName}» para confirmar`).fill(orgName);
  await page.screenshot({ path: 'test-results/screenshots/org-deletion-confirm.png' });
  const scheduled = page.waitForResponse((r) => r.url().endsWith(`/api/v1/organizations/${org.id}/deletion`) && r.request().method() === 'POST');
  await confirmButton.click();
  const scheduledRes = await scheduled;
  expect(scheduledRes.status(), await scheduledRes.text()).toBe(202);
  const { purgeAfter } = (await scheduledRes.json()) as { purgeAfter: string };
  await expect(confirm).toBeHidden();

  // The date it will be purged, in the owner's language, and the way back.
  const purgeDay = new Intl.DateTimeFormat('es-ES', { dateStyle: 'long' }).format(new Date(purgeAfter));
  await expect(card.getByText('Eliminación programada')).toBeVisible();
  await expect(card.getByTestId('org-deletion-date')).toContainText(purgeDay);
  await expect(card.getByRole('button', { name: 'Cancelar eliminación' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/org-deletion-scheduled.png' });

  // The final export is a JSON file with the organization's data.
  const download = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Descargar exportación final' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`versaai-organization-${org.id}.json`);
  const exported = JSON.parse(await readFile((await file.path())!, 'utf8')) as { format: string; organization: { id: string; name: string }; bots: Array<{ name: string }>; members: unknown[] };
  expect(exported.format).toBe('versaai-organization-export');
  expect(exported.organization).toMatchObject({ id: org.id, name: orgName });
  expect(exported.bots.map((b) => b.name)).toEqual(['Olmo']);
  expect(exported.members).toHaveLength(1);
  await expect(page.getByText('Se descargó la exportación.')).toBeVisible();

  // Cancelled: the warning goes and scheduling is offered again.
  const cancelled = page.waitForResponse((r) => r.url().endsWith(`/api/v1/organizations/${org.id}/deletion`) && r.request().method() === 'DELETE');
  await card.getByRole('button', { name: 'Cancelar eliminación' }).click();
  expect((await cancelled).status()).toBe(200);
  await expect(page.getByText('Se canceló la eliminación.')).toBeVisible();
  await expect(card.getByText('Eliminación programada')).toBeHidden();
  await expect(card.getByRole('button', { name: 'Programar eliminación' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('org-deletion').getByRole('button', { name: 'Programar eliminación' })).toBeVisible();

  // An admin sees the organization's settings but not the deletion control.
  const adminEmail = await adminOf(page.request, auth, org.id);
  const adminContext = await browser.newContext({ locale: 'es-ES' });
  const admin = await adminContext.newPage();
  await admin.goto('/sign-in');
  expect((await fillSignIn(admin, adminEmail, PASSWORD)).status()).toBe(200);
  await admin.goto('/settings');
  await expect(admin.getByLabel('Nombre de la organización')).toHaveValue(orgName);
  await expect(admin.getByTestId('org-deletion')).toHaveCount(0);
  await expect(admin.getByRole('button', { name: 'Programar eliminación' })).toHaveCount(0);
  await admin.screenshot({ path: 'test-results/screenshots/org-deletion-admin.png', fullPage: true });
  await adminContext.close();
});
