import { expect, test, type Page } from '@playwright/test';
import { signMetaPayload } from '../../functions/core/channels/meta';
import { slackSignature } from '../../functions/core/channels/slack';
import { FAKE_TRANSCRIPT, startFakeOpenAI, type FakeOpenAI } from '../../functions/testing/fake-openai';
import { whatsappWebhook } from '../../functions/testing/whatsapp-webhook';
import { dashboardTeam, deployedBot, solidPng, visitorAsks, type DashboardTeam } from './channel-helpers';
import { useFakePlatforms } from './fake-platforms';
import { API_ORIGIN, startCustomerSite } from './helpers';

/**
 * Files across channels, seen by people: an agent sends an image from the inbox into a widget
 * conversation and the visitor, on the customer's own site (another origin), sees it in the
 * widget and opens it full size; the file's address without the visitor's session gives nothing.
 * A file a customer shares in Slack shows in the inbox, downloaded with the bot token, and one an
 * agent attaches in a Slack thread reaches Slack through its upload flow, in that thread. A
 * WhatsApp voice note shows its transcript under the audio player when transcription is set up.
 */
const fake = useFakePlatforms();
const SLACK_TOKEN = 'xoxb-e2e-files-1111-abcdefghijklmnop';
const SLACK_SECRET = 'e2eslackfilessecret0000000000000';
const WA_APP_SECRET = 'e2e-voice-app-secret-0123456789ab';
const WA_PHONE_NUMBER_ID = '106540352249999';
let site: Awaited<ReturnType<typeof startCustomerSite>>;
let llm: FakeOpenAI;

test.beforeAll(async () => {
  llm = await startFakeOpenAI();
  site = await startCustomerSite({
    title: 'Tienda Sol',
    style: 'body { font-family: system-ui, sans-serif; margin: 40px; background: #fdf8ef; }',
    body: '<h1>Tienda Sol</h1><p>Ropa de temporada.</p>',
  });
  expect(site.origin).not.toBe(API_ORIGIN);
});
test.afterAll(async () => {
  await site?.close();
  await llm?.close();
});

test('an agent sends an image into a widget conversation and the visitor sees it on the customer\u2019s site', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const team = await dashboardTeam(page);
  const bot = await deployedBot(page, team);

  const { context: visitorContext, visitor, conversationId } = await visitorAsks(browser, site, bot, '¿Tenéis la camiseta en rojo?');
  try {
    // The agent answers with a photo from the inbox's reply box.
    await page.goto(`/conversations/${conversationId}`);
    await expect(page.getByText('¿Tenéis la camiseta en rojo?').first()).toBeVisible();
    const uploaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/attachments`));
    await page.getByLabel('Enviar un archivo').setInputFiles({ name: 'camiseta-roja.png', mimeType: 'image/png', buffer: solidPng(160, 120, [200, 30, 40]) });
    const sent = await uploaded;
    expect(sent.status(), await sent.text()).toBe(201);
    const message = (await sent.json()) as { id: string };
    await expect(page.getByRole('img', { name: 'camiseta-roja.png' })).toBeVisible();

    // The visitor sees it live in the widget, drawn from the bytes read with the session token.
    const image = visitor.getByRole('img', { name: 'camiseta-roja.png' });
    await expect(image).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(160);
    await visitor.screenshot({ path: 'test-results/screenshots/channel-files-widget.png' });

    // A click opens it full size.
    const [full] = await Promise.all([visitorContext.waitForEvent('page'), image.click()]);
    await full.waitForLoadState();
    expect(full.url()).toMatch(/^blob:/);
    await full.close();

    // The same address without the visitor's session (or with the dashboard's token) gives nothing.
    const fileUrl = `${API_ORIGIN}/api/v1/widget/${bot.id}/messages/${message.id}/attachments/0`;
    expect((await visitor.request.get(fileUrl, { headers: { Origin: site.origin } })).status()).toBe(401);
    expect((await visitor.request.get(fileUrl, { headers: { Origin: site.origin, Authorization: team.auth.Authorization } })).status()).toBe(401);
  } finally {
    await visitorContext.close();
  }
});

test('a file a customer shares in Slack shows in the inbox', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const team = await dashboardTeam(page);
  const hook = await connectedSlack(page, team);

  // The customer shares a photo in a DM; Slack serves it to the bot token only.
  const photo = solidPng(120, 90, [20, 110, 200]);
  const url = fake().media.slackFileUrl('talla.png', { mimeType: 'image/png', bytes: photo }, SLACK_TOKEN);
  const ts = `${Math.floor(Date.now() / 1000)}.000200`;
  await toSlack(page, hook, {
    type: 'event_callback',
    team_id: 'T0FAKE',
    event_id: 'Ev0E2EFILE1',
    event: { type: 'message', subtype: 'file_share', channel: 'D0DM', channel_type: 'im', user: 'U0ANA', text: '¿Qué talla es esta?', ts, files: [{ id: 'F0TALLA', name: 'talla.png', mimetype: 'image/png', size: photo.byteLength, url_private: url, url_private_download: url }] },
  });

  const conversationId = await firstConversation(page, team, 'slack');
  await page.goto(`/conversations/${conversationId}`);
  const image = page.getByRole('img', { name: 'talla.png' });
  await expect(image).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(120);
  await expect(page.getByText('¿Qué talla es esta?').first()).toBeVisible();
  expect(fake().requests.some((r) => r.headers.authorization === `Bearer ${SLACK_TOKEN}` && r.path.includes('talla.png'))).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/channel-files-slack.png' });
});

/** A Slack channel of the team, connected; the path Slack posts its events to. */
async function connectedSlack(page: Page, team: DashboardTeam) {
  const bot = await deployedBot(page, team);
  const created = await page.request.post('/api/v1/integrations', {
    headers: team.auth,
    data: { platform: 'slack', name: 'Slack soporte', botId: bot.id, credentials: { botToken: SLACK_TOKEN, signingSecret: SLACK_SECRET } },
  });
  expect(created.status(), await created.text()).toBe(201);
  const integration = (await created.json()) as { id: string };
  const connected = await page.request.post(`/api/v1/integrations/${integration.id}/connect`, { headers: team.auth });
  expect(connected.status(), await connected.text()).toBe(200);
  return new URL(((await connected.json()) as { webhook: { url: string } }).webhook.url).pathname;
}

/** Slack posts an event, signed with the app's signing secret. */
async function toSlack(page: Page, hook: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const delivered = await page.request.post(hook, {
    data: body,
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SLACK_SECRET, timestamp, body) },
  });
  expect(delivered.status(), await delivered.text()).toBe(200);
}

/** The team's first conversation on a channel, once the webhook has stored it. */
async function firstConversation(page: Page, team: DashboardTeam, channel: string) {
  let conversationId = '';
  await expect
    .poll(async () => {
      const list = (await (await page.request.get(`/api/v1/conversations?channel=${channel}`, { headers: team.auth })).json()) as { data: Array<{ id: string }> };
      return (conversationId = list.data[0]?.id ?? '');
    })
    .not.toBe('');
  return conversationId;
}

test('an agent attaches a file in a Slack thread and Slack receives it through its upload flow, in that thread', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const team = await dashboardTeam(page);
  const hook = await connectedSlack(page, team);

  // A customer mentions the bot in #soporte: the conversation is the thread on that message.
  const parent = `${Math.floor(Date.now() / 1000)}.000300`;
  await toSlack(page, hook, {
    type: 'event_callback',
    team_id: 'T0FAKE',
    event_id: 'Ev0E2EFILE2',
    event: { type: 'app_mention', channel: 'C0E2ESOPORTE', channel_type: 'channel', user: 'U0ANA', text: '<@U0FAKEBOT> ¿Me pasáis la guía de tallas?', ts: parent },
  });
  const conversationId = await firstConversation(page, team, 'slack');
  await page.goto(`/conversations/${conversationId}`);
  await expect(page.getByText('¿Me pasáis la guía de tallas?').first()).toBeVisible();

  // The agent answers with a picture from the reply box's file button.
  const guide = solidPng(200, 140, [30, 150, 90]);
  const uploaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/attachments`));
  await page.getByLabel('Enviar un archivo').setInputFiles({ name: 'guia-tallas.png', mimeType: 'image/png', buffer: guide });
  const sent = await uploaded;
  expect(sent.status(), await sent.text()).toBe(201);
  await expect(page.getByRole('img', { name: 'guia-tallas.png' })).toBeVisible();

  // Slack got it the documented way: reserve, upload the bytes (no token), complete in the thread.
  const complete = () => fake().requests.find((r) => r.endpoint === 'files.completeUploadExternal' && r.body?.files?.[0]?.title === 'guia-tallas.png');
  await expect.poll(() => complete()?.body, { timeout: 20_000 }).toMatchObject({ channel_id: 'C0E2ESOPORTE', thread_ts: parent });
  const fileId = complete()!.body.files[0].id as string;
  const reserve = fake().requests.find((r) => r.endpoint === 'files.getUploadURLExternal' && r.body?.filename === 'guia-tallas.png');
  expect(reserve?.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
  expect(reserve?.body.length).toBe(String(guide.byteLength));
  expect(Buffer.from(fake().media.slackUploads.get(fileId)?.bytes ?? []).equals(guide)).toBe(true);
  expect(fake().requests.find((r) => r.path === `/slack-upload/${fileId}`)?.headers.authorization).toBeUndefined();
  // The inbox shows it sent.
  await expect(page.getByText('Enviado').last()).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'test-results/screenshots/channel-files-slack-agent.png' });
});

test('a WhatsApp voice note shows its transcript under the audio player', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const team = await dashboardTeam(page);
  // Transcription: the organization's OpenAI-compatible server (the fake) runs whisper-1.
  const key = await page.request.put('/api/v1/provider-keys/compatible', { headers: team.auth, data: { apiKey: 'sk-e2e-voice-5678', baseUrl: llm.url, models: ['fake-llm'] } });
  expect(key.status(), await key.text()).toBe(200);
  const setting = await page.request.put(`/api/v1/organizations/${team.orgId}/settings/transcription`, { headers: team.auth, data: { transcription: { provider: 'compatible', model: 'whisper-1' } } });
  expect(setting.status(), await setting.text()).toBe(200);

  const bot = await deployedBot(page, team);
  const created = await page.request.post('/api/v1/integrations', {
    headers: team.auth,
    data: { platform: 'whatsapp', name: 'WhatsApp ventas', botId: bot.id, credentials: { phoneNumberId: WA_PHONE_NUMBER_ID, accessToken: 'EAAG-e2e-voice-token', appSecret: WA_APP_SECRET } },
  });
  expect(created.status(), await created.text()).toBe(201);
  const integration = (await created.json()) as { id: string };
  expect((await page.request.post(`/api/v1/integrations/${integration.id}/connect`, { headers: team.auth })).status()).toBe(200);

  // The customer records a voice note (Opus in Ogg); Meta posts it with a media id.
  const voice = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(2000, 3)]);
  fake().media.whatsapp('7766554433221100', { mimeType: 'audio/ogg; codecs=opus', bytes: voice });
  const body = JSON.stringify(
    whatsappWebhook({
      phoneNumberId: WA_PHONE_NUMBER_ID,
      from: '34600999888',
      name: 'Marta Gil',
      message: { id: 'wamid.E2EVOICE1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'audio', audio: { id: '7766554433221100', mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true } },
    }),
  );
  const delivered = await page.request.post(`/api/v1/channels/whatsapp/${integration.id}`, {
    data: body,
    headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': await signMetaPayload(WA_APP_SECRET, body) },
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  const conversationId = await firstConversation(page, team, 'whatsapp');
  await page.goto(`/conversations/${conversationId}`);
  const player = page.locator('figure').filter({ has: page.locator('audio') });
  await expect(player.locator('audio')).toBeVisible({ timeout: 20_000 });
  // The transcript is the audio's caption, under the player.
  const transcript = player.locator('figcaption[data-transcript="done"]');
  await expect(transcript).toContainText(FAKE_TRANSCRIPT, { timeout: 20_000 });
  const [audioBox, captionBox] = [await player.locator('audio').boundingBox(), await transcript.boundingBox()];
  expect(captionBox!.y).toBeGreaterThanOrEqual(audioBox!.y + audioBox!.height - 1);
  expect(llm.transcriptions.some((t) => t.model === 'whisper-1' && t.file?.size === voice.byteLength)).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/channel-files-voice-transcript.png' });
});
