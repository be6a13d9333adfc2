import { expect, test } from '@playwright/test';
import { slackSignature } from '../../functions/core/channels/slack';
import { dashboardTeam, deployedBot, solidPng } from './channel-helpers';
import { useFakePlatforms } from './fake-platforms';
import { API_ORIGIN, startCustomerSite } from './helpers';

/**
 * Files across channels, seen by people: an agent sends an image from the inbox into a widget
 * conversation and the visitor, on the customer's own site (another origin), sees it in the
 * widget and opens it full size; the file's address without the visitor's session gives nothing.
 * And a file a customer shares in Slack shows in the inbox, downloaded with the bot token.
 */
const fake = useFakePlatforms();
const SLACK_TOKEN = 'xoxb-e2e-files-1111-abcdefghijklmnop';
const SLACK_SECRET = 'e2eslackfilessecret0000000000000';
let site: Awaited<ReturnType<typeof startCustomerSite>>;

test.beforeAll(async () => {
  site = await startCustomerSite({
    title: 'Tienda Sol',
    style: 'body { font-family: system-ui, sans-serif; margin: 40px; background: #fdf8ef; }',
    body: '<h1>Tienda Sol</h1><p>Ropa de temporada.</p>',
  });
  expect(site.origin).not.toBe(API_ORIGIN);
});
test.afterAll(() => site?.close());

test('an agent sends an image into a widget conversation and the visitor sees it on the customer\u2019s site', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const team = await dashboardTeam(page);
  const bot = await deployedBot(page, team);

  const visitorContext = await browser.newContext({ locale: 'es-ES', viewport: { width: 1100, height: 800 } });
  try {
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${site.origin}/?bot=${bot.id}`);
    const started = visitor.waitForResponse((r) => r.url().endsWith(`/api/v1/widget/${bot.id}/session`) && r.request().method() === 'POST');
    await visitor.getByRole('button', { name: 'Abrir chat' }).click();
    const session = (await (await started).json()) as { conversationId: string };
    await visitor.getByRole('textbox').fill('¿Tenéis la camiseta en rojo?');
    await visitor.getByRole('textbox').press('Enter');
    await expect(visitor.getByText('¿Tenéis la camiseta en rojo?')).toBeVisible();

    // The agent answers with a photo from the inbox's reply box.
    await page.goto(`/conversations/${session.conversationId}`);
    await expect(page.getByText('¿Tenéis la camiseta en rojo?').first()).toBeVisible();
    const uploaded = page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${session.conversationId}/attachments`));
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
  const bot = await deployedBot(page, team);
  const created = await page.request.post('/api/v1/integrations', {
    headers: team.auth,
    data: { platform: 'slack', name: 'Slack soporte', botId: bot.id, credentials: { botToken: SLACK_TOKEN, signingSecret: SLACK_SECRET } },
  });
  expect(created.status(), await created.text()).toBe(201);
  const integration = (await created.json()) as { id: string };
  const connected = await page.request.post(`/api/v1/integrations/${integration.id}/connect`, { headers: team.auth });
  expect(connected.status(), await connected.text()).toBe(200);
  const hook = new URL(((await connected.json()) as { webhook: { url: string } }).webhook.url).pathname;

  // The customer shares a photo in a DM; Slack serves it to the bot token only.
  const photo = solidPng(120, 90, [20, 110, 200]);
  const url = fake().media.slackFileUrl('talla.png', { mimeType: 'image/png', bytes: photo }, SLACK_TOKEN);
  const ts = `${Math.floor(Date.now() / 1000)}.000200`;
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0FAKE',
    event_id: 'Ev0E2EFILE1',
    event: { type: 'message', subtype: 'file_share', channel: 'D0DM', channel_type: 'im', user: 'U0ANA', text: '¿Qué talla es esta?', ts, files: [{ id: 'F0TALLA', name: 'talla.png', mimetype: 'image/png', size: photo.byteLength, url_private: url, url_private_download: url }] },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const delivered = await page.request.post(hook, {
    data: body,
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SLACK_SECRET, timestamp, body) },
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  let conversationId = '';
  await expect
    .poll(async () => {
      const list = (await (await page.request.get('/api/v1/conversations?channel=slack', { headers: team.auth })).json()) as { data: Array<{ id: string }> };
      return (conversationId = list.data[0]?.id ?? '');
    })
    .not.toBe('');
  await page.goto(`/conversations/${conversationId}`);
  const image = page.getByRole('img', { name: 'talla.png' });
  await expect(image).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(120);
  await expect(page.getByText('¿Qué talla es esta?').first()).toBeVisible();
  expect(fake().requests.some((r) => r.headers.authorization === `Bearer ${SLACK_TOKEN}` && r.path.includes('talla.png'))).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/channel-files-slack.png' });
});
