import { sql } from 'drizzle-orm';
import type { Services } from '../ports';

const CHECK_TIMEOUT_MS = 3000;

async function timed(check: () => Promise<unknown>) {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    // A finished check must not leave a timer pending for seconds after the response.
    clearTimeout(timer);
  }
}

export async function checkServices(services: Services) {
  const [sqlCheck, kv, queue, vectors] = await Promise.all([
    timed(() => services.db.execute(sql`select 1`)),
    timed(() => services.kv.ping()),
    timed(() => services.queue.ping()),
    timed(() => services.vectors.ping()),
  ]);
  return { sql: sqlCheck, kv, queue, vectors };
}
