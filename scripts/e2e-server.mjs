// Starts the built Node server for the browser tests on a throwaway data directory, and removes
// that directory when Playwright stops us (or the server exits), so every run starts empty.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-e2e-'));
// `--dev`: `npm run dev` exactly as a newcomer runs it (its own command from package.json, default
// settings), for tests/e2e/newcomer.spec.ts; otherwise the built server with the test settings.
const dev = process.argv.includes('--dev');
// `--billing`: Stripe configured against the fake Stripe server tests/e2e/billing.spec.ts starts
// (playwright.billing.config.ts); every other spec runs self-hosted, without plan limits.
const billing = process.argv.includes('--billing');
const billingEnv = billing
  ? {
      STRIPE_SECRET_KEY: 'sk_test_e2e_billing',
      STRIPE_WEBHOOK_SECRET: 'whsec_e2e_billing_secret',
      STRIPE_PRICE_PRO: 'price_pro',
      STRIPE_PRICE_BUSINESS: 'price_business',
      STRIPE_API_URL: process.env.E2E_FAKE_STRIPE_URL ?? 'http://127.0.0.1:4595',
    }
  : {};
const port = dev ? (process.env.E2E_DEV_PORT ?? '4596') : (process.env.E2E_PORT ?? '4599');
const devCommand = JSON.parse(readFileSync('package.json', 'utf8')).scripts.dev;
const child = dev
  ? spawn('sh', ['-c', `exec ${devCommand}`], {
      env: { ...process.env, PORT: port, DATA_DIR: dataDir, APP_URL: `http://127.0.0.1:${port}` },
      stdio: 'inherit',
    })
  : spawn(process.execPath, ['dist/server/server.js'], {
      env: {
        ...process.env,
        PORT: port,
        DATA_DIR: dataDir,
        APP_URL: process.env.APP_URL ?? `http://127.0.0.1:${port}`,
        NODE_ENV: process.env.NODE_ENV ?? 'development',
        // The team test reads an invitation mailed to an address that has no account yet
        // (E2E_OUTBOX_KEY in tests/e2e/helpers.ts).
        DEV_OUTBOX_KEY: 'e2e-outbox-key-for-the-browser-suite',
        // The knowledge test imports a page from a server it starts on 127.0.0.1; only tests set this.
        ALLOW_PRIVATE_URLS: 'true',
        // The webhooks test sends to a receiver it starts on 127.0.0.1 and watches a retry happen.
        WEBHOOKS_ALLOW_LOOPBACK: 'true',
        WEBHOOK_RETRY_BASE_SECONDS: '1',
        // Every spec signs people up from 127.0.0.1: the per-address sign-in limit is for attackers.
        AUTH_ATTEMPTS_PER_IP: '100000',
        // The channels test starts a fake Telegram / Meta Graph API on this loopback port.
        TELEGRAM_API_URL: process.env.E2E_FAKE_PLATFORMS_URL ?? 'http://127.0.0.1:4597',
        META_GRAPH_API_URL: process.env.E2E_FAKE_PLATFORMS_URL ?? 'http://127.0.0.1:4597',
        SLACK_API_URL: process.env.E2E_FAKE_PLATFORMS_URL ?? 'http://127.0.0.1:4597',
        DISCORD_API_URL: process.env.E2E_FAKE_PLATFORMS_URL ?? 'http://127.0.0.1:4597',
        // The WhatsApp templates test watches the 24-hour window close (tests/e2e/whatsapp-templates.spec.ts).
        WHATSAPP_WINDOW_SECONDS: process.env.E2E_WHATSAPP_WINDOW_SECONDS ?? '30',
        ...billingEnv,
      },
      stdio: 'inherit',
    });

let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  try {
    rmSync(dataDir, { recursive: true, force: true });
  } catch {
    // A file still held open by the dying server: the OS temp cleaner will get it.
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    child.kill('SIGTERM');
    // Give PGlite a moment to flush before we delete its directory; force it after 5 s.
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      cleanup();
      process.exit(0);
    });
  });
}
child.on('exit', (code) => {
  cleanup();
  process.exit(code ?? 0);
});
