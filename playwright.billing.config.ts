import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The billing spec needs a server with Stripe configured (pointed at the fake Stripe the spec
// starts); every other spec runs self-hosted, where no plan limits apply.
export default defineConfig({
  ...base,
  testIgnore: [],
  testMatch: ['**/billing.spec.ts'],
  webServer: { ...(base.webServer as object), command: 'node scripts/e2e-server.mjs --billing' },
});
