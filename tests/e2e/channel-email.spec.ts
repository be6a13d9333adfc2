import { expect, test, type APIRequestContext } from '@playwright/test';
import { signedMailgunDelivery } from '../../functions/testing/fake-mailgun';
import { createOrganization, E2E_OUTBOX_KEY, signUp, uniqueEmail } from './helpers';

/**
 * The email channel from the dashboard: add it in the channel dialog (the inbox address is shown),
 * a customer's mail arrives as Mailgun forwards it (signed multipart form), the bot answers, an
 * agent takes over and answers from the inbox, and the answer lands in the local outbox from the
 * inbox address, threaded under the customer's mail.
 */
const SIGNING_KEY = 'key-e2e-mailgun-signing-key-0123456789';

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
}

interface OutboxMail {
  from?: string;
  subject: string;
  text: string;
  headers?: Record<string, string>;
}

test('add an Email channel, receive a mail in the inbox, answer it; the reply is threaded from the inbox address', async ({ page }) => {
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
  await page.getByRole('button', { name: 'Conectar un canal' }).click();
  const dialog = page.getByRole('dialog', { name: 'Conectar un canal' });
  await dialog.getByText('Correo electrónico', { exact: true }).click();
  await expect(dialog.getByRole('radio', { name: /Correo electrónico/ })).toBeChecked();
  await dialog.getByLabel('Nombre').fill('Correo soporte');
  await dialog.getByLabel('Clave de firma de webhooks de Mailgun').fill(SIGNING_KEY);
  const connected = page.waitForResponse((r) => /\/api\/v1\/integrations\/[^/]+\/connect$/.test(r.url()));
  await dialog.getByRole('button', { name: 'Guardar y conectar' }).click();
  const connectRes = await connected;
  expect(connectRes.status(), await connectRes.text()).toBe(200);
  const integration = (await connectRes.json()) as { id: string; inboxAddress: string; webhook: { url: string } };
  expect(integration.inboxAddress).toMatch(/^tienda-sol[a-z0-9-]*@/);
  expect(await connectRes.text()).not.toContain(SIGNING_KEY);

  const done = page.getByRole('dialog', { name: 'Correo soporte está conectado' });
  await expect(done.getByText('Este canal ya recibe correo')).toBeVisible();
  await expect(done.getByLabel('Dirección de la bandeja')).toHaveValue(integration.inboxAddress);
  await expect(done.getByLabel('URL del webhook')).toHaveValue(integration.webhook.url);
  await done.getByRole('button', { name: 'Listo' }).click();

  // A customer writes: Mailgun forwards the parsed mail, signed.
  const customer = uniqueEmail('cliente');
  const fields = {
    recipient: integration.inboxAddress,
    sender: customer,
    from: `Marta Gil <${customer}>`,
    subject: 'Pedido 1042',
    'body-plain': '¿Podéis cambiar la dirección de entrega del pedido 1042?\n\nGracias,\n-- \nMarta',
    'body-html': '<p>¿Podéis cambiar la dirección de entrega del pedido 1042?</p><script>alert(1)</script>',
    'Message-Id': '<pedido-1042@mail.example.test>',
  };
  const webhookPath = new URL(integration.webhook.url).pathname;
  const forged = await signedMailgunDelivery('key-not-the-channels-0000000000', fields);
  expect((await page.request.post(webhookPath, { headers: { 'content-type': forged.contentType }, data: Buffer.from(forged.body) })).status()).toBe(401);
  const signed = await signedMailgunDelivery(SIGNING_KEY, fields);
  const delivered = await page.request.post(webhookPath, { headers: { 'content-type': signed.contentType }, data: Buffer.from(signed.body) });
  expect(delivered.status(), await delivered.text()).toBe(200);

  await page.goto('/conversations');
  const list = page.getByRole('list', { name: 'Lista de conversaciones' });
  const item = list.getByRole('link').filter({ hasText: 'Marta Gil' });
  await expect(item).toHaveCount(1, { timeout: 15_000 });
  await item.click();
  const thread = page.getByRole('log', { name: /^Mensajes con/ });
  await expect(thread.locator('[data-role="user"]')).toContainText('¿Podéis cambiar la dirección de entrega del pedido 1042?');
  // The signature ("-- " and what follows) is not part of the stored text.
  await expect(thread.locator('[data-role="user"]')).not.toContainText('--');

  await page.getByRole('button', { name: 'Tomar el control' }).click();
  await expect(page.getByTestId('answering')).toHaveText('Respondes tú');
  const box = page.getByRole('textbox', { name: /^Responder a/ });
  await box.fill('Hola Marta, ya hemos cambiado la dirección. Un saludo, Lucía');
  const sent = page.waitForResponse((r) => r.url().endsWith('/messages') && r.request().method() === 'POST');
  await box.press('Enter');
  expect((await sent).status()).toBe(201);
  await expect(thread.locator('[data-role="agent"]').last()).toContainText('ya hemos cambiado la dirección');

  // The answer went out through the mail port: from the inbox address, in the customer's thread.
  let agentMail: OutboxMail | undefined;
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/dev/outbox?to=${encodeURIComponent(customer)}`, { headers: { 'x-dev-outbox-key': E2E_OUTBOX_KEY } });
        const mails = ((await res.json()) as { data: OutboxMail[] }).data;
        agentMail = mails.find((m) => m.text.includes('ya hemos cambiado la dirección'));
        return Boolean(agentMail);
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  expect(agentMail!.from).toBe(`"Correo soporte" <${integration.inboxAddress}>`);
  expect(agentMail!.subject).toBe('Re: Pedido 1042');
  expect(agentMail!.headers).toMatchObject({ 'In-Reply-To': '<pedido-1042@mail.example.test>', References: '<pedido-1042@mail.example.test>' });
  expect(agentMail!.headers!['Message-ID']).toMatch(/^<[0-9a-f-]{36}@/);
  await page.screenshot({ path: 'test-results/screenshots/channel-email.png', fullPage: true });
});
