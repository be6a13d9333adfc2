import { expect, test } from '@playwright/test';
import { startOidcProvider, type TestOidcProvider } from '../../functions/testing/oidc-provider';
import { createOrganization, E2E_OUTBOX_KEY, signUp } from './helpers';

/**
 * Single sign-on end to end: a real OpenID provider (oidc-provider) runs in this Playwright
 * process on a free loopback port (the e2e server allows private URLs, so it may be an issuer).
 * An admin configures it, verifies the company domain with their own verified email, and a new
 * employee signs in through it and lands in the organization with the default role.
 */
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? '4599'}`;
let idp: TestOidcProvider;

test.beforeAll(async () => {
  idp = await startOidcProvider({ redirectUris: [`${baseURL}/sso/callback`] });
});
test.afterAll(async () => {
  await idp?.close();
});

/** The verification link mailed to `email`, read from the dev outbox as the operator. */
async function verificationPath(request: import('@playwright/test').APIRequestContext, email: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await request.get(`/api/v1/dev/outbox?to=${encodeURIComponent(email)}`, { headers: { 'x-dev-outbox-key': E2E_OUTBOX_KEY } });
    const mails = (await res.json()).data as Array<{ text: string }>;
    const link = mails.map((m) => /https?:\/\/\S+\/verify-email\?token=\S+/.exec(m.text)?.[0]).find(Boolean);
    if (link) return new URL(link);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no verification mail for ${email}`);
}

test('an admin configures SSO and a new employee signs in with it, joining with the default role', async ({ page, browser, request }) => {
  // Two browsers, a sign-up, the provider's pages and three redirects: more than the default minute on a busy machine.
  test.setTimeout(150_000);
  const domain = `acme-${Date.now().toString(36)}.test`;
  const adminEmail = `it@${domain}`;
  await signUp(page, { name: 'Iris Admin', email: adminEmail });
  const orgName = await createOrganization(page);
  const link = await verificationPath(request, adminEmail);
  const verified = await request.get(`/api/v1/auth/verify-email?token=${encodeURIComponent(link.searchParams.get('token')!)}`);
  expect(verified.status(), await verified.text()).toBeLessThan(300);

  await page.getByRole('link', { name: 'Configuración' }).first().click();
  await page.getByRole('link', { name: 'Inicio de sesión único' }).click();
  await expect(page.getByRole('heading', { name: 'Inicio de sesión único (OpenID Connect)' })).toBeVisible();
  await expect(page.getByTestId('sso-redirect-uri')).toHaveText(`${baseURL}/sso/callback`);
  await page.getByLabel('Proveedor').selectOption('custom');
  await page.getByLabel('URL del emisor (issuer)').fill(idp.issuer);
  await page.getByLabel('ID de cliente').fill(idp.clientId);
  await page.getByLabel('Secreto de cliente').fill(idp.clientSecret);
  await page.getByLabel('Rol de los nuevos miembros').selectOption('viewer');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/sso/connection') && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Guardar proveedor' }).click();
  expect((await saved).status()).toBe(200);
  await expect(page.getByText('Hay un secreto guardado (cifrado)')).toBeVisible();
  await page.getByRole('button', { name: 'Probar conexión' }).click();
  await expect(page.getByText(`El proveedor respondió: ${idp.issuer}`)).toBeVisible();

  await page.getByLabel('Dominio', { exact: true }).fill(domain);
  await page.getByRole('button', { name: 'Añadir dominio' }).click();
  const row = page.getByTestId(`sso-domain-${domain}`);
  await expect(row.getByTestId('sso-txt-value')).toContainText('versaai-verification=');
  await row.getByRole('button', { name: 'Confirmar con mi correo' }).click();
  await expect(row.getByText('Verificado')).toBeVisible();

  // A new employee, in a browser of their own, who has never had an account.
  const employeeContext = await browser.newContext({ locale: 'es-ES' });
  const employee = await employeeContext.newPage();
  const employeeEmail = `nuevo.empleado@${domain}`;
  idp.accounts.set(employeeEmail, { email: employeeEmail, name: 'Nuevo Empleado' });
  await employee.goto('/sign-in');
  await employee.getByRole('button', { name: 'Continuar con SSO' }).click();
  await expect(employee.getByRole('heading', { name: 'Entrar con inicio de sesión único' })).toBeVisible();
  await employee.getByLabel('Correo electrónico').fill(employeeEmail);
  await employee.getByRole('button', { name: 'Continuar con SSO' }).click();
  await expect(employee.getByRole('heading', { name: 'Test identity provider' })).toBeVisible();
  await employee.getByLabel('Email').fill(employeeEmail);
  const callback = employee.waitForResponse((r) => r.url().endsWith('/api/v1/auth/sso/callback'));
  await employee.getByRole('button', { name: 'Sign in' }).click();
  const session = await callback;
  expect(session.status(), await session.text()).toBe(200);
  await expect(employee.getByRole('heading', { level: 1, name: orgName })).toBeVisible();

  const { accessToken } = (await session.json()) as { accessToken: string };
  const profile = await request.get('/api/v1/users/profile', { headers: { authorization: `Bearer ${accessToken}` } });
  const body = (await profile.json()) as { email: string; organizations: Array<{ name: string; role: string }> };
  expect(body.email).toBe(employeeEmail);
  expect(body.organizations).toEqual([expect.objectContaining({ name: orgName, role: 'viewer' })]);
  await employeeContext.close();
});
