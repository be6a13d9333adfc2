import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createOrganization, signUp, knowledgeBaseWithDocument } from './helpers';

const FACT = 'El horno de leña de la Bodega Sur se enciende cada jueves a las 19:45 para la cata de quesos curados.';
const DOC_NAME = 'Horarios de la bodega';

/** Toasts fade on their own; close them so screenshots show the page underneath. */
async function closeToasts(page: Page) {
  const close = page.getByRole('button', { name: 'Cerrar', exact: true });
  while ((await close.count()) > 0) await close.first().click();
  await expect(close).toHaveCount(0);
}

/** A knowledge base with one text document, through the API, ready to be searched. */
async function seedKnowledge(request: APIRequestContext, auth: Record<string, string>) {
  const { kb } = await knowledgeBaseWithDocument(request, auth, { name: 'Bodega Sur', description: 'Catas y horarios' }, { name: DOC_NAME, text: `# Horarios\n\n${FACT}\n\nLa tienda abre de lunes a sábado por la mañana.` });
  return kb;
}

test('wizard with knowledge, playground answer with a source, deploy, install, widget colour and hours', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  const registered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register') && r.request().method() === 'POST');
  await signUp(page, { name: 'Marta Gil' });
  const { accessToken } = (await (await registered).json()) as { accessToken: string };
  const orgCreated = page.waitForResponse((r) => r.url().endsWith('/api/v1/organizations') && r.request().method() === 'POST');
  await createOrganization(page, 'Bodega Sur');
  const org = (await (await orgCreated).json()) as { id: string };
  await seedKnowledge(page.request, { Authorization: `Bearer ${accessToken}`, 'X-Organization-Id': org.id });

  // List: empty state with its call to action.
  await page.getByRole('link', { name: 'Chatbots', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Chatbots' })).toBeVisible();
  await expect(page.getByText('Aún no hay chatbots')).toBeVisible();
  await page.getByRole('button', { name: 'Nuevo chatbot' }).click();

  // Wizard: basics, knowledge + model, look.
  const wizard = page.getByRole('dialog', { name: 'Nuevo chatbot' });
  await wizard.getByLabel('Nombre', { exact: true }).fill('Sumiller');
  await wizard.getByLabel(/^Descripción/).fill('Responde sobre catas, horarios y la tienda');
  await wizard.getByRole('button', { name: 'Siguiente' }).click();
  await wizard.getByRole('checkbox', { name: /Bodega Sur/ }).check();
  await expect(wizard.getByLabel('Modelo')).toHaveValue('builtin:extractive');
  await expect(wizard.getByLabel('Modelo').locator('option:checked')).toHaveText(/Respuesta extractiva integrada \(sin modelo\)/);
  await wizard.getByRole('button', { name: 'Siguiente' }).click();
  await wizard.getByLabel('Título del widget').fill('Sumiller de Bodega Sur');
  await wizard.getByLabel('Mensaje de bienvenida').fill('¡Hola! Pregúntame por las catas.');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/chatbots') && r.request().method() === 'POST');
  await wizard.getByRole('button', { name: 'Crear borrador' }).click();
  const createdRes = await created;
  expect(createdRes.status(), await createdRes.text()).toBe(201);
  const bot = (await createdRes.json()) as { id: string; knowledgeBaseIds: string[]; status: string };
  expect(bot.knowledgeBaseIds).toHaveLength(1);
  expect(bot.status).toBe('draft');
  await expect(page.getByRole('heading', { level: 1, name: 'Sumiller' })).toBeVisible();
  await expect(page.getByText('Borrador', { exact: true }).first()).toBeVisible();
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/chatbots-editor.png', fullPage: true });

  // Playground: a streamed answer with the fact and its source.
  const tabs = page.getByRole('navigation', { name: 'Secciones de Sumiller' });
  await tabs.getByRole('link', { name: 'Playground' }).click();
  await page.getByLabel('Mensaje', { exact: true }).fill('¿A qué hora se enciende el horno de leña?');
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}/test`));
  await page.getByRole('button', { name: 'Enviar' }).click();
  const testRes = await answered;
  expect(testRes.status()).toBe(200);
  const answer = page.getByTestId('assistant-message').last();
  await expect(answer).toContainText('19:45', { timeout: 20_000 });
  await expect(answer.getByText('Fuentes')).toBeVisible();
  await expect(answer.getByRole('listitem').filter({ hasText: DOC_NAME }).first()).toBeVisible();
  await expect(answer.getByLabel('Detalles de la respuesta')).toContainText('Respuesta extractiva integrada (sin modelo)');
  await expect(answer.getByLabel('Detalles de la respuesta')).toContainText('ms en total');
  await page.screenshot({ path: 'test-results/screenshots/chatbots-playground.png', fullPage: true });

  // Deploy from the header.
  const deployed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}/deploy`));
  await page.getByRole('button', { name: 'Desplegar' }).click();
  const deployRes = await deployed;
  expect(deployRes.status(), await deployRes.text()).toBe(200);
  await expect(page.getByText('Activo', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pausar' })).toBeVisible();

  // Install: the script tag carries the bot id.
  await tabs.getByRole('link', { name: 'Instalar' }).click();
  const snippet = page.getByLabel('Código de inserción');
  await expect(snippet).toContainText(`data-bot-id="${bot.id}"`);
  await expect(snippet).toContainText('/widget.js');
  await closeToasts(page);
  await expect(page.getByRole('heading', { name: 'Vista previa en vivo' })).toBeVisible();
  const preview = page.getByTitle('Vista previa en vivo del widget de Sumiller');
  if ((await preview.count()) > 0) {
    // The real widget loads its config; give it that request before the picture.
    await page.waitForResponse((r) => r.url().includes(`/api/v1/widget/${bot.id}/config`), { timeout: 10_000 }).catch(() => null);
  }
  await page.screenshot({ path: 'test-results/screenshots/chatbots-install.png', fullPage: true });

  // Widget: change the colour and save.
  await tabs.getByRole('link', { name: 'Widget' }).click();
  await page.getByLabel('Color principal').fill('#059669');
  const savedWidget = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}`) && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Guardar cambios' }).click();
  const widgetRes = await savedWidget;
  const widgetBody = await widgetRes.text();
  expect(widgetRes.status(), widgetBody).toBe(200);
  expect((JSON.parse(widgetBody) as { widget: { primaryColor: string } }).widget.primaryColor).toBe('#059669');
  await expect(page.getByText('Cambios guardados', { exact: true })).toBeVisible();
  await expect(page.getByText('Todos los cambios guardados')).toBeVisible();
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/chatbots-widget.png', fullPage: true });

  // Hours: with none set the page says "always open" once (no week of "Closed" days under it).
  await tabs.getByRole('link', { name: 'Horario' }).click();
  await expect(page.getByText('Sin horario de atención: siempre abierto')).toBeVisible();
  await expect(page.getByText('Cerrado', { exact: true })).toHaveCount(0);
  // The assistant answers around the clock by default; hours govern the team.
  await expect(page.getByRole('radio', { name: /El asistente sigue respondiendo/ })).toBeChecked();
  await page.screenshot({ path: 'test-results/screenshots/chatbots-hours-none.png', fullPage: true });
  await page.getByRole('button', { name: 'Definir horario' }).click();
  await expect(page.getByText('Cerrado', { exact: true })).toHaveCount(2);
  await page.getByRole('radio', { name: /El asistente deja de responder/ }).check();
  const savedHours = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}/schedules`) && r.request().method() === 'POST');
  const savedMode = page.waitForResponse((r) => r.url().endsWith(`/api/v1/chatbots/${bot.id}`) && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Guardar cambios' }).click();
  const modeRes = await savedMode;
  expect((JSON.parse(await modeRes.text()) as { answerOutsideHours: boolean }).answerOutsideHours).toBe(false);
  const hoursRes = await savedHours;
  expect(hoursRes.status(), await hoursRes.text()).toBe(201);
  await expect(page.getByText('Horario guardado.')).toBeVisible();
  await expect(page.getByLabel('lunes, tramo 1: abre')).toHaveValue('09:00');
  await expect(page.getByLabel('lunes, tramo 1: cierra')).toHaveValue('18:00');
  await expect(page.getByRole('radio', { name: /El asistente deja de responder/ })).toBeChecked();
  await page.screenshot({ path: 'test-results/screenshots/chatbots-hours.png', fullPage: true });

  // Back to the list: the card shows status, model and conversations.
  await page.getByRole('link', { name: '← Chatbots' }).click();
  const card = page.getByRole('article', { name: 'Sumiller' });
  await expect(card).toContainText('Activo');
  await expect(card).toContainText('Respuesta extractiva integrada (sin modelo)');
  await closeToasts(page);
  await page.screenshot({ path: 'test-results/screenshots/chatbots-list.png', fullPage: true });

  // Phone width: the cards and the playground stay usable.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(card).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/chatbots-list-mobile.png', fullPage: true });
  await card.getByRole('link', { name: 'Probar: Sumiller' }).click();
  await expect(page.getByLabel('Mensaje', { exact: true })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/chatbots-playground-mobile.png' });
});
