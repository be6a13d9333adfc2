import { expect, test } from '@playwright/test';
import { signMetaPayload } from '../../functions/core/channels/meta';
import { useFakePlatforms } from './fake-platforms';
import { dashboardTeam, deployedBot } from './channel-helpers';
import { whatsappWebhook } from '../../functions/testing/whatsapp-webhook';

/**
 * Media both ways in the inbox: a customer's WhatsApp image arrives (the webhook posted to the app
 * as Meta posts it, the fake Graph API serving the media), the agent sees it in the conversation,
 * then sends a file back, which goes out through WhatsApp's media upload.
 */
const APP_SECRET = 'e2e-app-secret-0123456789abcdef';
const PHONE_NUMBER_ID = '106540352242922';
const CUSTOMER = '34600111222';
// A tiny real PNG (1×1, red), so the browser decodes and draws it.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const fake = useFakePlatforms();


test('an incoming WhatsApp image shows in the inbox, and the agent sends a file back', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const { auth } = await dashboardTeam(page);

  const bot = await deployedBot(page, { auth });
  const integration = (await (
    await page.request.post('/api/v1/integrations', {
      headers: auth,
      data: { platform: 'whatsapp', name: 'WhatsApp ventas', botId: bot.id, credentials: { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'EAAG-e2e-whatsapp-token', appSecret: APP_SECRET } },
    })
  ).json()) as { id: string };
  expect((await page.request.post(`/api/v1/integrations/${integration.id}/connect`, { headers: auth })).status()).toBe(200);

  /** Meta posts a customer's message, signed with the app secret. */
  const deliver = async (message: Record<string, unknown>) => {
    const payload = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, contacts: [{ profile: { name: 'Ana Pérez' }, wa_id: CUSTOMER }], messages: [message] } }] }],
    });
    const res = await page.request.post(`/api/v1/channels/whatsapp/${integration.id}`, {
      data: payload,
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': await signMetaPayload(APP_SECRET, payload) },
    });
    expect(res.status(), await res.text()).toBe(200);
  };

  // The customer sends a photo: Meta posts the message with a media id, signed with the app secret.
  fake().media.whatsapp('4490709327384033', { mimeType: 'image/png', bytes: PNG });
  const body = JSON.stringify(
    whatsappWebhook({
      phoneNumberId: PHONE_NUMBER_ID,
      from: CUSTOMER,
      name: 'Ana Pérez',
      message: { id: 'wamid.E2EIMAGE1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'image', image: { id: '4490709327384033', mime_type: 'image/png', sha256: 'x', caption: '¿Tenéis esta en azul?' } },
    }),
  );
  const delivered = await page.request.post(`/api/v1/channels/whatsapp/${integration.id}`, {
    data: body,
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': await signMetaPayload(APP_SECRET, body) },
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  const list = (await (await page.request.get('/api/v1/conversations', { headers: auth })).json()) as { data: Array<{ id: string }> };
  const conversationId = list.data[0].id;
  await page.goto(`/conversations/${conversationId}`);
  const image = page.getByRole('img', { name: 'image.png' });
  await expect(image).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('¿Tenéis esta en azul?')).toBeVisible();
  // Drawn from the stored bytes: the browser decoded a 1×1 picture.
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  expect(fake().requests.some((r) => r.path === '/wa-media/4490709327384033' && r.headers.authorization === 'Bearer EAAG-e2e-whatsapp-token')).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/channel-media-incoming.png' });

  // The customer asks for the catalogue (the browser suite's server keeps WhatsApp's 24-hour
  // window to seconds for the templates spec; this message opens it again), and the agent sends a
  // PDF back through the reply box's file button.
  await deliver({ from: CUSTOMER, id: 'wamid.E2ETEXT2', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '¿Me mandas el catálogo?' } });
  await expect(page.getByText('¿Me mandas el catálogo?')).toBeVisible();
  fake().reset();
  const uploaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/attachments`));
  await page.getByLabel('Enviar un archivo').setInputFiles({ name: 'catalogo.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  expect((await uploaded).status()).toBe(201);
  await expect(page.getByRole('button', { name: 'Descargar catalogo.pdf' })).toBeVisible();
  // The bot may answer the text message too (its handoff buttons): find the document among the sends.
  const documentSend = () => fake().sent().find((r) => (r.body as { type?: string }).type === 'document')?.body;
  await expect.poll(documentSend, { timeout: 20_000 }).toMatchObject({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'document', document: { filename: 'catalogo.pdf' } });
  const upload = fake().requests.find((r) => r.endpoint === `${PHONE_NUMBER_ID}/media`);
  expect(upload?.body).toMatchObject({ messaging_product: 'whatsapp', file: { filename: 'catalogo.pdf', type: 'application/pdf' } });
  await page.screenshot({ path: 'test-results/screenshots/channel-media-sent.png' });
});
