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

type Check = Awaited<ReturnType<typeof timed>> & { observed?: 'recent-statement' };

/**
 * The SQL check. Where the database is one in-process connection (the local runtime) a `select 1`
 * queues behind whatever holds it: during an ingestion or a purge it would measure that queue
 * (a loop turn per statement ahead of it), not whether the database answers. So the gate's pulse
 * answers first: a statement that completed within the last moments proves the database works
 * (reported as `observed: 'recent-statement'`, latency 0); statements pending for seconds with
 * none completing mean it is stuck, reported at once without adding one more to the queue;
 * otherwise (an idle database) the probe runs, and costs nothing to wait for.
 */
async function checkSql(services: Services): Promise<Check> {
  const pulse = services.databasePulse?.read();
  if (pulse?.state === 'answering') return { ok: true, latencyMs: 0, observed: 'recent-statement' };
  if (pulse?.state === 'down') return { ok: false, latencyMs: 0, error: `down: ${pulse.failure ?? 'the database cannot answer'}` };
  if (pulse?.state === 'stuck') {
    return {
      ok: false,
      latencyMs: Math.round(pulse.pendingMs),
      error: `stuck: a statement has been running or waiting for ${Math.round(pulse.pendingMs)} ms and none completed for ${Math.round(pulse.sinceLastCompletionMs)} ms`,
    };
  }
  return timed(() => services.db.execute(sql`select 1`));
}

export async function checkServices(services: Services) {
  const [sqlCheck, kv, queue, vectors] = await Promise.all([
    checkSql(services),
    timed(() => services.kv.ping()),
    timed(() => services.queue.ping()),
    timed(() => services.vectors.ping()),
  ]);
  return { sql: sqlCheck, kv, queue, vectors };
}
