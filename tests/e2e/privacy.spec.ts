/**
 * A person's right of access and erasure, from the inbox: a visitor writes through the widget
 * API; an admin opens the conversation, downloads the contact's data (JSON) and erases the
 * contact after confirming. Afterwards the conversation is gone from the inbox, from the inbox
 * search and from the API.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createOrganization, signUp } from './helpers';

const UNIQUE = `zanahoria-${Math.random().toString(36).slice(2, 8)}`;

test('a contact’s data is exported and erased from the inbox, and is gone from search and the inbox', async ({ page }) => {
  test.setTimeout(120_000);
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Elena Privacidad' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Datos Claros');
  const org = (await (await orgCreated).json()) as { id: string };
  const auth = { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };

  const bot = await (await page.request.post('/api/v1/chatbots', { headers: auth, data: { name: 'Ayudante' } })).json();
  expect((await page.request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth })).status()).toBe(200);
  const session = await (await page.request.post(`/api/v1/widget/${bot.id}/session`, { data: {} })).json();
  const chat = await page.request.post(`/api/v1/widget/${bot.id}/chat`, {
    headers: { Authorization: `Bearer ${session.sessionToken}` },
    data: { message: `Hola, mi pedido de ${UNIQUE} llegó roto` },
  });
  expect(chat.status()).toBe(200);

  await page.goto(`/conversations/${session.conversationId}`);
  await expect(page.getByText(`Hola, mi pedido de ${UNIQUE} llegó roto`).first()).toBeVisible();

  // The contact panel is folded away below wide screens.
  const showDetails = page.getByRole('button', { name: 'Mostrar detalles' });
  if (await showDetails.isVisible()) await showDetails.click();
  // Export: a JSON download with the message in it.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Exportar datos' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^contact-.*\.json$/);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(JSON.stringify(exported.conversations)).toContain(UNIQUE);

  // Erase, after confirming.
  await page.getByRole('button', { name: 'Borrar contacto' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('No se puede deshacer');
  const erased = page.waitForResponse((r) => r.url().includes('/api/v1/contacts/') && r.request().method() === 'DELETE');
  await dialog.getByRole('button', { name: 'Borrar todo' }).click();
  expect((await erased).status()).toBe(200);
  await expect(page).toHaveURL(/\/conversations\/?$/);
  await expect(page.getByText(UNIQUE)).toHaveCount(0);

  // Gone from the inbox search and the API.
  const search = await (await page.request.get(`/api/v1/conversations?q=${UNIQUE}`, { headers: auth })).json();
  expect(search.data).toEqual([]);
  expect((await page.request.get(`/api/v1/conversations/${session.conversationId}`, { headers: auth })).status()).toBe(404);
  await page.goto(`/conversations?q=${UNIQUE}`);
  await expect(page.getByText(UNIQUE)).toHaveCount(0);
});
