import { expect, test, type Page } from '@playwright/test';
import { signMetaPayload } from '../../functions/core/channels/meta';
import { whatsappWebhook } from '../../functions/testing/whatsapp-webhook';
import { useFakePlatforms } from './fake-platforms';
import { createOrganization, signUp } from './helpers';

/**
 * One person on two channels (issue 17, contact profiles): Ana writes on WhatsApp and on Telegram,
 * so the inbox has two contacts. An agent opens the WhatsApp conversation, merges the Telegram
 * contact into it through the contact panel's dialog, and both conversations then belong to the
 * kept contact. Every place that shows the contact (list, header, panel) shows its avatar.
 */
const APP_SECRET = 'e2e-app-secret-merge-0123456789ab';
const PHONE_NUMBER_ID = '106540352299001';
const WA_CUSTOMER = '34600999111';
const TELEGRAM_TOKEN = '555111222:AAMergeSpecTelegramTokenForTheInboxSuite';
const TELEGRAM_CHAT = 881_000_333;
const fake = useFakePlatforms();

type Auth = Record<string, string>;

async function connect(page: Page, auth: Auth, platform: 'whatsapp' | 'telegram', botId: string, credentials: Record<string, string>) {
  const created = await page.request.post('/api/v1/integrations', { headers: auth, data: { platform, name: platform, botId, credentials } });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const connected = await page.request.post(`/api/v1/integrations/${id}/connect`, { headers: auth });
  expect(connected.status(), await connected.text()).toBe(200);
  return { id, webhookPath: new URL(((await connected.json()) as { webhook: { url: string } }).webhook.url).pathname };
}

/** Meta posts Ana's WhatsApp message (profile name "Ana Pérez"), signed with the app secret. */
async function whatsappMessage(page: Page, integrationId: string, text: string) {
  const payload = JSON.stringify(
    whatsappWebhook({
      phoneNumberId: PHONE_NUMBER_ID,
      from: WA_CUSTOMER,
      name: 'Ana Pérez',
      message: { id: 'wamid.E2EMERGE1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } },
    }),
  );
  const res = await page.request.post(`/api/v1/channels/whatsapp/${integrationId}`, {
    data: payload,
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': await signMetaPayload(APP_SECRET, payload) },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Telegram posts Ana's message (first name only, a username) with the webhook's secret token. */
async function telegramMessage(page: Page, webhookPath: string, text: string) {
  const from = { id: TELEGRAM_CHAT, is_bot: false, first_name: 'Ana', username: 'ana_p', language_code: 'es' };
  const update = { update_id: 990_001, message: { message_id: 41, from, chat: { id: TELEGRAM_CHAT, first_name: 'Ana', username: 'ana_p', type: 'private' }, date: Math.floor(Date.now() / 1000), text } };
  const secret = fake().telegramWebhook(TELEGRAM_TOKEN)!.secretToken;
  const res = await page.request.post(webhookPath, { data: update, headers: { 'X-Telegram-Bot-Api-Secret-Token': secret } });
  expect(res.status(), await res.text()).toBe(200);
}

test('an agent merges the same person\u2019s WhatsApp and Telegram contacts; the avatar shows in the list, header and panel', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 1000 });
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Marta Gil' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Librería Norte');
  const org = (await (await orgCreated).json()) as { id: string };
  const auth = { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };

  const bot = (await (await page.request.post('/api/v1/chatbots', { headers: auth, data: { name: 'Norte', model: 'builtin:extractive' } })).json()) as { id: string };
  expect((await page.request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth })).status()).toBe(200);
  const whatsapp = await connect(page, auth, 'whatsapp', bot.id, { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'EAAG-e2e-merge-token', appSecret: APP_SECRET });
  const telegram = await connect(page, auth, 'telegram', bot.id, { botToken: TELEGRAM_TOKEN });
  await whatsappMessage(page, whatsapp.id, '¿Tenéis el libro de Rosalía de Castro?');
  await telegramMessage(page, telegram.webhookPath, 'Os escribí también por WhatsApp');

  const conversations = async () =>
    ((await (await page.request.get('/api/v1/conversations', { headers: auth })).json()) as { data: Array<{ id: string; channel: string; contact: { id: string } }> }).data;
  await expect.poll(async () => (await conversations()).length, { timeout: 20_000 }).toBe(2);
  const before = await conversations();
  const waConversation = before.find((c) => c.channel === 'whatsapp')!;
  const tgConversation = before.find((c) => c.channel === 'telegram')!;
  expect(waConversation.contact.id).not.toBe(tgConversation.contact.id);

  await page.goto(`/conversations/${waConversation.id}`);
  const rows = page.locator('a[data-conversation-id]');
  await expect(rows).toHaveCount(2);
  const waRow = page.locator(`a[data-conversation-id="${waConversation.id}"]`);
  const tgRow = page.locator(`a[data-conversation-id="${tgConversation.id}"]`);
  await expect(waRow.getByTestId('contact-avatar')).toBeVisible();
  await expect(tgRow.getByTestId('contact-avatar')).toBeVisible();
  // WhatsApp and Telegram give no picture: the avatar is the contact's initials.
  await expect(waRow.getByTestId('contact-avatar')).toHaveText('AP');
  await expect(tgRow).not.toContainText('Ana Pérez');

  const header = page.locator('header').filter({ has: page.getByRole('heading', { level: 2, name: 'Ana Pérez' }) });
  await expect(header.getByTestId('contact-avatar')).toBeVisible();
  const contactPanel = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Contacto', exact: true }) });
  await page.getByRole('button', { name: 'Mostrar detalles' }).click();
  await expect(contactPanel.getByTestId('contact-avatar')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/inbox-merge-before.png' });

  // The merge dialog: search, pick the Telegram contact, see what moves, confirm.
  await contactPanel.getByRole('button', { name: 'Fusionar con otro contacto' }).click();
  const dialog = page.getByRole('dialog', { name: 'Fusionar otro contacto en Ana Pérez' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('searchbox', { name: 'Buscar contactos' }).fill('Ana');
  const candidate = dialog.getByRole('list', { name: 'Contactos que coinciden' }).getByRole('button', { name: /Ana/ });
  await expect(candidate).toHaveCount(1);
  await expect(candidate.getByTestId('contact-avatar')).toBeVisible();
  await candidate.click();
  const preview = dialog.getByTestId('merge-preview');
  await expect(preview.getByText('1 conversación')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/inbox-merge-dialog.png' });
  const merged = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${waConversation.contact.id}/merge`));
  await dialog.getByRole('button', { name: 'Fusionar contactos' }).click();
  expect((await merged).status()).toBe(200);
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/se fusionó con este contacto \(1 conversación movida\)/)).toBeVisible();

  // Both conversations now belong to the kept contact: the Telegram one shows its name and avatar.
  const after = await conversations();
  expect(after.map((c) => c.contact.id)).toEqual([waConversation.contact.id, waConversation.contact.id]);
  await expect(tgRow).toContainText('Ana Pérez');
  await expect(tgRow.getByTestId('contact-avatar')).toHaveText('AP');
  await tgRow.click();
  await expect(page).toHaveURL(new RegExp(`/conversations/${tgConversation.id}`));
  await expect(header.getByTestId('contact-avatar')).toBeVisible();
  await expect(page.getByText('Os escribí también por WhatsApp')).toBeVisible();
  await page.getByRole('button', { name: 'Mostrar detalles' }).click();
  await expect(contactPanel.getByTestId('contact-avatar')).toBeVisible();
  // The dialog no longer offers the merged contact: there is one Ana now.
  await contactPanel.getByRole('button', { name: 'Fusionar con otro contacto' }).click();
  await page.getByRole('searchbox', { name: 'Buscar contactos' }).fill('Ana');
  await expect(page.getByText('Ningún otro contacto coincide.')).toBeVisible();
  await page.keyboard.press('Escape');
  await page.screenshot({ path: 'test-results/screenshots/inbox-merge-after.png' });
});
