import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { startWebhookReceiver } from '../../functions/testing/webhook-receiver';
import { createOrganization, signUp } from './helpers';

test('an admin adds a webhook, receives signed events, and sees a failed delivery retried in the log', async ({ page }) => {
  const receiver = await startWebhookReceiver();
  try {
    // The first delivery fails; the retry (1 s later on the e2e server) succeeds.
    receiver.respond = (_req, i) => (i === 0 ? { status: 500, body: 'temporarily broken' } : { status: 200, body: 'ok' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await signUp(page);
    await createOrganization(page);
    await page.getByRole('link', { name: 'Configuración' }).click();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByText('Aún no hay webhooks')).toBeVisible();

    await page.getByRole('button', { name: 'Añadir webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Añadir un webhook' });
    await dialog.getByLabel('URL del endpoint').fill(receiver.url);
    await dialog.getByLabel('Nombre').fill('CRM');
    await expect(dialog.getByRole('checkbox', { name: /message\.created/ })).toBeChecked();
    await dialog.getByRole('checkbox', { name: /document\.ready/ }).check();
    await page.screenshot({ path: 'test-results/screenshots/settings-webhooks-add.png' });
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/webhooks') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Añadir webhook' }).click();
    expect((await created).status()).toBe(201);
    await expect(dialog).toBeHidden();
    const secret = (await page.getByLabel('Secreto de firma').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Listo' }).click();
    await expect(page.getByLabel('Secreto de firma')).toBeHidden();
    await expect(page.getByRole('row', { name: /CRM/ }).getByText('Activo')).toBeVisible();

    // A real event: a document becomes ready in the knowledge base (created through the API as the same user).
    const { accessToken } = await page.evaluate(
      async () => (await (await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { accessToken: string },
    );
    const auth = { authorization: `Bearer ${accessToken}` };
    const kb = await (await page.request.post('/api/v1/knowledge-bases', { headers: auth, data: { name: 'Ayuda' } })).json();
    const doc = await page.request.post(`/api/v1/knowledge-bases/${kb.id}/documents`, { headers: auth, data: { type: 'text', name: 'Horario', text: 'Abrimos de 9 a 18.' } });
    expect(doc.status()).toBe(202);
    const [failed, retried] = await receiver.waitFor(2, 20_000);
    expect(failed.body.type).toBe('document.ready');
    expect(retried.body.id).toBe(failed.body.id);
    for (const request of [failed, retried]) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(request.headers['versaai-signature'] as string)!;
      expect(createHmac('sha256', secret).update(`${t}.${request.rawBody}`).digest('hex')).toBe(v1);
    }

    await page.getByRole('row', { name: /CRM/ }).getByRole('link', { name: 'CRM' }).click();
    await expect(page.getByRole('heading', { name: /CRM/ })).toBeVisible();
    const row = page.getByRole('listitem').filter({ hasText: 'document.ready' });
    await expect(row.getByText('Entregado')).toBeVisible({ timeout: 15_000 });
    await expect(row.getByText('2 intentos')).toBeVisible();
    await row.getByRole('button', { name: /Intentos de document\.ready/ }).click();
    const attempts = row.getByRole('table');
    await expect(attempts.getByRole('row').nth(1)).toContainText('HTTP 500');
    await expect(attempts.getByRole('row').nth(1)).toContainText('temporarily broken');
    await expect(attempts.getByRole('row').nth(2)).toContainText('HTTP 200');

    // A test event through the same path, shown in the log at once.
    const tested = page.waitForResponse((r) => r.url().endsWith('/test') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Enviar evento de prueba' }).click();
    expect((await tested).status()).toBe(200);
    await expect(page.getByRole('status').filter({ hasText: /Evento de prueba entregado: HTTP 200/ })).toBeVisible();
    await expect(page.getByRole('listitem').filter({ hasText: 'webhook.test' }).getByText('Entregado')).toBeVisible();
    expect(receiver.requests.at(-1)?.body.type).toBe('webhook.test');

    await page.screenshot({ path: 'test-results/screenshots/settings-webhooks.png', fullPage: true });

    // The list on a phone, in dark mode, reached by keyboard from the breadcrumb.
    await page.evaluate(() => localStorage.setItem('versaai.theme', 'dark'));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('navigation', { name: 'Ruta de navegación' }).getByRole('link', { name: 'Webhooks' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('row', { name: /CRM/ }).getByText('Activo')).toBeVisible();
    await page.getByRole('button', { name: 'Acciones de CRM' }).click();
    await expect(page.getByRole('menuitem', { name: 'Enviar evento de prueba' })).toBeFocused();
    await page.keyboard.press('Escape');
    await page.screenshot({ path: 'test-results/screenshots/settings-webhooks-mobile-dark.png', fullPage: true });
  } finally {
    await receiver.close();
  }
});
