import { expect, test } from '@playwright/test';
import { slackSignature } from '../../functions/core/channels/slack';
import { useFakePlatforms } from './fake-platforms';
import { dashboardTeam, deployedBot } from './channel-helpers';

/**
 * Slack from the inbox: connect a Slack app through the Channels dialog (against a fake Slack Web
 * API on the port scripts/e2e-server.mjs points SLACK_API_URL at), a customer mentions the bot in
 * a channel (the event signed like Slack signs it), an agent takes the conversation in the inbox
 * and answers; the fake Slack API receives chat.postMessage in the thread.
 */
const BOT_TOKEN = 'xoxb-e2e-1111-abcdefghijklmnop';
const SIGNING_SECRET = 'e2eslacksigningsecret00000000000';
const fake = useFakePlatforms();


test('an agent answers a Slack thread from the inbox', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 1000 });
  const { auth } = await dashboardTeam(page);
  const bot = await deployedBot(page, { auth });

  await page.goto('/channels');
  await page.getByRole('button', { name: 'Conectar un canal' }).click();
  const dialog = page.getByRole('dialog', { name: 'Conectar un canal' });
  await dialog.getByText('Slack', { exact: true }).click();
  await expect(dialog.getByRole('radio', { name: /Slack/ })).toBeChecked();
  await dialog.getByLabel('Nombre').fill('Slack soporte');
  await dialog.getByLabel('Token del bot').fill(BOT_TOKEN);
  await dialog.getByLabel('Signing secret (secreto de firma)').fill(SIGNING_SECRET);
  const connected = page.waitForResponse((r) => /\/api\/v1\/integrations\/[^/]+\/connect$/.test(r.url()));
  await dialog.getByRole('button', { name: 'Guardar y conectar' }).click();
  const connectRes = await connected;
  expect(connectRes.status(), await connectRes.text()).toBe(200);
  const integration = (await connectRes.json()) as { id: string; webhook: { url: string } };
  const done = page.getByRole('dialog', { name: 'Slack soporte está conectado' });
  await expect(done.getByText('Slack aceptó el token')).toBeVisible();
  await expect(done.getByLabel('URL del webhook')).toHaveValue(integration.webhook.url);
  await done.getByRole('button', { name: 'Listo' }).click();

  // A customer mentions the bot in #soporte: Slack signs the event with the signing secret.
  const parentTs = `${Math.floor(Date.now() / 1000)}.000100`;
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0FAKE',
    event_id: 'Ev0E2E1',
    event: { type: 'app_mention', channel: 'C0SOPORTE', user: 'U0ANA', text: '<@U0FAKEBOT> quiero hablar con una persona', ts: parentTs },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const path = new URL(integration.webhook.url).pathname;
  const headers = { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SIGNING_SECRET, timestamp, body) };
  const forged = await page.request.post(path, { data: body, headers: { ...headers, 'x-slack-signature': `v0=${'0'.repeat(64)}` } });
  expect(forged.status()).toBe(401);
  const delivered = await page.request.post(path, { data: body, headers });
  expect(delivered.status(), await delivered.text()).toBe(200);

  // The conversation is in the inbox; the agent takes it and answers.
  let conversationId = '';
  await expect
    .poll(async () => {
      const list = (await (await page.request.get('/api/v1/conversations?channel=slack', { headers: auth })).json()) as { data: Array<{ id: string }> };
      conversationId = list.data[0]?.id ?? '';
      return conversationId;
    })
    .not.toBe('');
  await page.goto(`/conversations/${conversationId}`);
  await expect(page.getByText('quiero hablar con una persona').first()).toBeVisible();
  const takeover = page.waitForResponse((r) => r.url().endsWith('/takeover'));
  await page.getByRole('button', { name: 'Tomar el control' }).click();
  expect((await takeover).status()).toBe(200);
  const box = page.getByRole('textbox', { name: /^Responder a/ });
  await box.fill('Hola, soy Lucía. ¿En qué te ayudo?');
  const sent = page.waitForResponse((r) => r.url().endsWith('/messages') && r.request().method() === 'POST');
  await box.press('Enter');
  expect((await sent).status()).toBe(201);

  await expect
    .poll(() => fake().requests.find((r) => r.api === 'slack' && r.endpoint === 'chat.postMessage' && r.body?.text === 'Hola, soy Lucía. ¿En qué te ayudo?')?.body, { timeout: 20_000 })
    .toMatchObject({ channel: 'C0SOPORTE', thread_ts: parentTs });
  await page.screenshot({ path: 'test-results/screenshots/channel-slack.png', fullPage: true });
});
