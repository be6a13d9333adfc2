import { expect, test } from '@playwright/test';
import { signMetaPayload } from '../../functions/core/channels/meta';
import { useFakePlatforms } from './fake-platforms';
import { createOrganization, signUp } from './helpers';

/**
 * WhatsApp after the 24-hour window: an agent opens a conversation whose window has closed (the
 * browser suite's server shortens it to seconds, WHATSAPP_WINDOW_SECONDS), reads why free text is
 * not possible, picks an approved template, fills its variables and sends it; the fake Graph API
 * receives it in WhatsApp's wire format.
 */
const APP_SECRET = 'e2e0123456789abcdef0123456789abcd';
const CREDENTIALS = { phoneNumberId: '106540352242922', accessToken: 'EAAG-e2e-whatsapp-token', appSecret: APP_SECRET, businessAccountId: '102290129340398' };
const fake = useFakePlatforms();


function customerMessage(text: string) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: CREDENTIALS.businessAccountId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: CREDENTIALS.phoneNumberId },
              contacts: [{ profile: { name: 'Carmen Ruiz' }, wa_id: '34600111222' }],
              messages: [{ from: '34600111222', id: `wamid.E2E${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  };
}

test('an agent sends a WhatsApp template once the 24-hour window has closed', async ({ page }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Marta Gil' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Tienda Sol');
  const org = (await (await orgCreated).json()) as { id: string };
  const headers = { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id };

  const bot = (await (await page.request.post('/api/v1/chatbots', { headers, data: { name: 'Sol', model: 'builtin:extractive' } })).json()) as { id: string };
  expect((await page.request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers })).status()).toBe(200);
  const integration = (await (
    await page.request.post('/api/v1/integrations', { headers, data: { platform: 'whatsapp', name: 'WhatsApp tienda', botId: bot.id, credentials: CREDENTIALS } })
  ).json()) as { id: string };
  expect((await page.request.post(`/api/v1/integrations/${integration.id}/connect`, { headers })).status()).toBe(200);

  const raw = JSON.stringify(customerMessage('¿Tenéis la lámpara en azul?'));
  const delivered = await page.request.post(`/api/v1/channels/whatsapp/${integration.id}`, {
    data: raw,
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': await signMetaPayload(APP_SECRET, raw) },
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  const list = (await (await page.request.get('/api/v1/conversations?channel=whatsapp', { headers })).json()) as { data: Array<{ id: string }> };
  const conversationId = list.data[0].id;
  // The window closes (seconds here, 24 hours in production).
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/conversations/${conversationId}/whatsapp-templates`, { headers })).json()) as { window: { open: boolean } }).window.open, {
      timeout: 60_000,
    })
    .toBe(false);

  await page.goto(`/conversations/${conversationId}`);
  const notice = page.getByTestId('window-closed');
  await expect(notice).toContainText('La ventana de 24 horas de WhatsApp se cerró');
  await expect(notice).toContainText('plantilla aprobada');
  await notice.getByRole('button', { name: 'Enviar una plantilla' }).click();

  const dialog = page.getByRole('dialog', { name: 'Enviar una plantilla de WhatsApp' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Plantilla')).toHaveValue('order_update|en_US');
  await expect(dialog.getByRole('button', { name: 'Enviar plantilla' })).toBeDisabled();
  await dialog.getByLabel('Encabezado {{1}}').fill('#1234');
  await dialog.getByLabel('Cuerpo {{1}}').fill('Carmen');
  await dialog.getByLabel('Cuerpo {{2}}').fill('#1234');
  await expect(dialog.getByTestId('template-preview')).toContainText('Hi Carmen, your order #1234 is on its way.');
  await dialog.getByRole('button', { name: 'Enviar plantilla' }).click();
  await expect(dialog).toBeHidden();

  // The bot's own answer to the customer went out first; the template is the one of type `template`.
  await expect.poll(() => fake().sent().filter((r) => r.body?.type === 'template').length, { timeout: 20_000 }).toBe(1);
  const sent = fake().sent().find((r) => r.body?.type === 'template')!;
  expect(sent.body).toEqual({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '34600111222',
    type: 'template',
    template: {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'text', text: '#1234' }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Carmen' }, { type: 'text', text: '#1234' }] },
      ],
    },
  });
  await expect(page.locator('[data-role="agent"]').last()).toContainText('Hi Carmen, your order #1234 is on its way.');
});
