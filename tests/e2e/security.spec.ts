import { expect, test, type Page } from '@playwright/test';
import { API_ORIGIN, createOrganization, signUp } from './helpers';

/** Every Content-Security-Policy violation the page reports, so a blocked script or style fails the test. */
function cspViolations(page: Page) {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test('the dashboard works under its Content-Security-Policy, and a newcomer opens their verification mail from the overview', async ({ page }) => {
  const violations = cspViolations(page);
  const document = page.waitForResponse((r) => r.url() === `${API_ORIGIN}/sign-up`);
  await signUp(page);
  const csp = (await document).headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self';");
  expect(csp).toContain("frame-ancestors 'none'");
  await createOrganization(page);
  await page.getByRole('link', { name: 'Abrir tu correo de verificación' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Buzón de desarrollo' })).toBeVisible();
  await expect(page.getByRole('link', { name: /\/verify-email\?token=/ }).first()).toBeVisible();
  expect(violations).toEqual([]);
});

test('the API reference renders under its own policy', async ({ page }) => {
  const violations = cspViolations(page);
  const res = await page.goto('/api/docs');
  expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
  // Scalar renders the whole document in the browser (150 operations): on a loaded 2-core machine
  // that took over 10 s once, so the wait is longer than the default. A wait, not a speed check.
  await expect(page.getByText('VersaAI API').first()).toBeVisible({ timeout: 30_000 });
  expect(violations).toEqual([]);
});

test('another site cannot frame the dashboard', async ({ page }) => {
  const framed = page.waitForResponse((r) => r.url() === `${API_ORIGIN}/sign-in`);
  await page.setContent(`<iframe title="framed" src="${API_ORIGIN}/sign-in" width="800" height="600"></iframe>`);
  const res = await framed;
  expect(res.headers()['x-frame-options']).toBe('DENY');
  // The browser refuses to render it: Chromium puts its error page in the frame instead.
  await expect.poll(() => page.frames().find((f) => f !== page.mainFrame())?.url()).toMatch(/^chrome-error:/);
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Hola de nuevo' })).toBeVisible();
});
