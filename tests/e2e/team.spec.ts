import { expect, test } from '@playwright/test';
import { createOrganization, E2E_OUTBOX_KEY, PASSWORD, signUp, uniqueEmail } from './helpers';

/** The invitation link as the invitee receives it, read from the dev outbox. */
async function invitationLink(request: import('@playwright/test').APIRequestContext, email: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    // The invitee has no account yet: read their mail as the operator (scripts/e2e-server.mjs sets the key).
    const res = await request.get(`/api/v1/dev/outbox?to=${encodeURIComponent(email)}`, { headers: { 'x-dev-outbox-key': E2E_OUTBOX_KEY } });
    const mails = (await res.json()).data as Array<{ text: string }>;
    const link = mails.map((m) => /https?:\/\/\S+\/invite\/\S+/.exec(m.text)?.[0]).find(Boolean);
    if (link) return new URL(link).pathname;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no invitation mail for ${email}`);
}

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
