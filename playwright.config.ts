import { defineConfig, devices } from '@playwright/test';

// E2E_PORT lets two checkouts run the browser suite side by side.
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? '4599'}`;

export default defineConfig({
  testDir: 'tests/e2e',
  // The newcomer's journey runs under `npm run dev`: playwright.dev.config.ts.
  // Billing runs with Stripe configured: playwright.billing.config.ts.
  testIgnore: ['**/newcomer.spec.ts', '**/billing.spec.ts'],
  outputDir: 'test-results/artifacts',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    locale: 'es-ES',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: 'node scripts/e2e-server.mjs',
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    // A loaded CI machine can take a while to start the built server the first time.
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // SIGTERM (not the default SIGKILL) so the script can delete its temp data directory.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 8000 },
  },
});
