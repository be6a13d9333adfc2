import { expect, test } from '@playwright/test';
import { startFakeStripe, type FakeStripe } from '../../functions/testing/fake-stripe';
import { createOrganization, signUp } from './helpers';

// Runs under playwright.billing.config.ts: the server's STRIPE_API_URL points at this fake.
const FAKE_PORT = Number(new URL(process.env.E2E_FAKE_STRIPE_URL ?? 'http://127.0.0.1:4595').port);
let stripe: FakeStripe;

test.beforeAll(async ({}, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  stripe = await startFakeStripe({
    port: FAKE_PORT,
    secretKey: 'sk_test_e2e_billing',
    webhookSecret: 'whsec_e2e_billing_secret',
    webhookUrl: `${baseURL}/api/v1/billing/stripe-webhook`,
  });
});

test.afterAll(async () => {
  await stripe?.close();
});

test('an owner upgrades through Stripe Checkout and the limits on the usage page change', async ({ page }) => {
  await signUp(page, { name: 'Olga Owner' });
  await createOrganization(page);
  await page.goto('/settings/plan');
  await expect(page.getByTestId('current-plan')).toHaveText('Plan actual: Gratis');
  await expect(page.getByTestId('limit-bots')).toContainText('0 / 1');
  await expect(page.getByTestId('limit-messagesPerMonth')).toContainText('0 / 100');
  await expect(page.getByRole('button', { name: 'Gestionar suscripción' })).toHaveCount(0);

  // The fake's Checkout page pays, fires the signed webhooks at the app, and comes back.
  await page.getByRole('button', { name: 'Mejorar a Pro' }).click();
  await page.waitForURL(/\/settings\/plan\?checkout=success/);
  await expect(page.getByText('Pago recibido')).toBeVisible();
  await expect(page.getByTestId('current-plan')).toHaveText('Plan actual: Pro');
  await expect(page.getByTestId('limit-bots')).toContainText('0 / 5');
  await expect(page.getByTestId('limit-messagesPerMonth')).toContainText('0 / 5000');
  expect(stripe.requests.some((r) => r.path === '/v1/checkout/sessions')).toBe(true);

  // Now there is a subscription to manage, in Stripe's Customer Portal.
  await page.getByRole('button', { name: 'Gestionar suscripción' }).click();
  await expect(page.getByRole('heading', { name: 'Stripe customer portal (test)' })).toBeVisible();
});
