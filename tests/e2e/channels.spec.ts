import { expect, test, type APIRequestContext } from '@playwright/test';
import { useFakePlatforms } from './fake-platforms';
import { createOrganization, signUp } from './helpers';

/**
 * The Channels page end to end: connect a Telegram bot through the dialog (against a fake Telegram
 * API on the port scripts/e2e-server.mjs points TELEGRAM_API_URL at), see the setup and status,
 * receive a message, watch the reply go out, disconnect.
 */
const BOT_TOKEN = '987654321:AAHe2eFakeTelegramTokenForTheChannelsPage';
const fake = useFakePlatforms();


async function liveBot(request: APIRequestContext, auth: Record<string, string>) {
  const kb = (await (await request.post('/api/v1/knowledge-bases', { headers: auth, data: { name: 'Tienda' } })).json()) as { id: string };
  const doc = (await (
    await request.post(`/api/v1/knowledge-bases/${kb.id}/documents`, {
      headers: auth,
      data: { type: 'text', name: 'Horario', text: 'La tienda abre de lunes a sábado de 10:00 a 20:00. Los domingos está cerrada.' },
    })
  ).json()) as { id: string };
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`, { headers: auth })).json()) as { status: string }).status, {
      timeout: 20_000,
    })
    .toBe('ready');
  const bot = (await (await request.post('/api/v1/chatbots', { headers: auth, data: { name: 'Sol', model: 'builtin:extractive', knowledgeBaseIds: [kb.id] } })).json()) as { id: string };
  expect((await request.post(`/api/v1/chatbots/${bot.id}/deploy`, { headers: auth })).status()).toBe(200);
  return bot.id;
}

test('connect a Telegram bot, receive a message, the reply goes out, disconnect', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Lucía Romero' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Tienda Sol');
  const org = (await (await orgCreated).json()) as { id: string };
  await liveBot(page.request, { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id });

  await page.goto('/channels');
  await expect(page.getByRole('heading', { level: 1, name: 'Canales' })).toBeVisible();
  await expect(page.getByText('Aún no hay canales')).toBeVisible();
  await page.getByRole('button', { name: 'Conectar un canal' }).click();

  const dialog = page.getByRole('dialog', { name: 'Conectar un canal' });
  await expect(dialog).toBeVisible();
  await dialog.getByText('Telegram', { exact: true }).click();
  await expect(dialog.getByRole('radio', { name: /Telegram/ })).toBeChecked();
  await dialog.getByLabel('Nombre').fill('Telegram soporte');
  await expect(dialog.getByLabel('Chatbot que responde')).toHaveValue(/.+/);
  await dialog.getByLabel('Token del bot').fill(BOT_TOKEN);
  await dialog.getByLabel('Grupos de Telegram').selectOption({ label: 'Responder solo si lo mencionan o le responden' });
  await page.screenshot({ path: 'test-results/screenshots/channels-connect.png' });
  const connected = page.waitForResponse((r) => /\/api\/v1\/integrations\/[^/]+\/connect$/.test(r.url()));
  await dialog.getByRole('button', { name: 'Guardar y conectar' }).click();
  const connectRes = await connected;
  expect(connectRes.status(), await connectRes.text()).toBe(200);
  const integration = (await connectRes.json()) as { id: string; webhook: { url: string } };
  expect(await connectRes.text()).not.toContain(BOT_TOKEN);

  const done = page.getByRole('dialog', { name: 'Telegram soporte está conectado' });
  await expect(done.getByText('Telegram ya envía aquí los mensajes de este bot')).toBeVisible();
  // Connect registered our webhook with Telegram, with a secret token.
  const hook = fake().telegramWebhook(BOT_TOKEN);
  expect(hook?.url).toBe(integration.webhook.url);
  expect(hook?.secretToken.length).toBeGreaterThanOrEqual(32);
  await done.getByRole('button', { name: 'Listo' }).click();

  const card = page.getByRole('group', { name: 'Telegram soporte' });
  await expect(card.getByText('Conectado', { exact: true })).toBeVisible();
  await expect(card.getByText('Telegram · Fake bot · @fake987654321_bot')).toBeVisible();
  await expect(card.getByLabel('URL del webhook')).toHaveValue(integration.webhook.url);
  await expect(card.getByText('Responde Sol')).toBeVisible();
  await expect(card.getByText('Nunca')).toBeVisible();

  // A customer writes to the bot: Telegram posts the update with our secret token.
  const update = {
    update_id: 700001,
    message: {
      message_id: 12,
      from: { id: 555000111, is_bot: false, first_name: 'Ana', last_name: 'Pérez', language_code: 'es' },
      chat: { id: 555000111, first_name: 'Ana', last_name: 'Pérez', type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text: '¿A qué hora abre la tienda?',
    },
  };
  const unsigned = await page.request.post(new URL(integration.webhook.url).pathname, { data: update });
  expect(unsigned.status()).toBe(401);
  const delivered = await page.request.post(new URL(integration.webhook.url).pathname, { data: update, headers: { 'X-Telegram-Bot-Api-Secret-Token': hook!.secretToken } });
  expect(delivered.status(), await delivered.text()).toBe(200);
  const [reply] = await fake().waitForSent(1, 20_000);
  expect(reply.body).toMatchObject({ chat_id: '555000111' });
  expect(reply.body.text).toContain('10:00 a 20:00');

  await page.reload();
  await expect(card.getByText('1 recibidos · 1 enviados · 0 fallidos')).toBeVisible();
  await expect(card.getByText('Nunca')).toBeHidden();
  await expect(card.getByText('Sin errores')).toBeVisible();
  expect(await page.content()).not.toContain(BOT_TOKEN);
  await page.screenshot({ path: 'test-results/screenshots/channels.png', fullPage: true });

  await card.getByRole('button', { name: 'Desconectar' }).click();
  const confirm = page.getByRole('dialog', { name: '¿Desconectar Telegram soporte?' });
  const disconnected = page.waitForResponse((r) => r.url().endsWith(`/api/v1/integrations/${integration.id}/disconnect`));
  await confirm.getByRole('button', { name: 'Desconectar' }).click();
  expect((await disconnected).status()).toBe(200);
  await expect(card.getByText('Desconectado', { exact: true })).toBeVisible();
  expect(fake().requests.some((r) => r.endpoint === 'deleteWebhook' && r.token === BOT_TOKEN)).toBe(true);
  await expect(card.getByRole('button', { name: 'Conectar', exact: true })).toBeVisible();
});
