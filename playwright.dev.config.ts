import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The newcomer's journey under `npm run dev` (Vite, the widget rebuilt on change, default settings),
// not the built server the rest of the browser suite uses. E2E_DEV_PORT moves it.
const port = process.env.E2E_DEV_PORT ?? '4596';
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  ...base,
  testIgnore: undefined,
  testMatch: 'newcomer.spec.ts',
  // One long journey; Vite compiles each page on its first visit, slow on a busy machine.
  timeout: 360_000,
  use: { ...base.use, baseURL },
  webServer: {
    command: 'node scripts/e2e-server.mjs --dev',
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 8000 },
  },
});
