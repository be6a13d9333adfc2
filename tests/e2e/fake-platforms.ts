import { test } from '@playwright/test';
import { startFakePlatforms, type FakePlatforms } from '../../functions/testing/fake-platforms';

/** Where scripts/e2e-server.mjs points the server's platform APIs (Meta, Telegram, Slack, Discord). */
export const FAKE_PLATFORMS_PORT = Number(new URL(process.env.E2E_FAKE_PLATFORMS_URL ?? 'http://127.0.0.1:4597').port);

/** Other spec files hold the one fixed port for a while: wait this long for our turn on it. */
export const FAKE_PLATFORMS_WAIT_MS = 150_000;

/**
 * The fake platform APIs for every test of the calling spec file: started before them (waiting while
 * another spec file holds the port), closed after. Returns a getter for the running instance.
 */
export function useFakePlatforms(): () => FakePlatforms {
  let fake: FakePlatforms | undefined;
  test.beforeAll(async ({}, testInfo) => {
    testInfo.setTimeout(FAKE_PLATFORMS_WAIT_MS + 30_000);
    fake = await startFakePlatforms({ port: FAKE_PLATFORMS_PORT, waitForPortMs: FAKE_PLATFORMS_WAIT_MS });
  });
  test.afterAll(async () => {
    await fake?.close();
  });
  return () => fake!;
}
