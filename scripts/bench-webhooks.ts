// `npm run bench:webhooks`: outgoing webhook deliveries per second on the local runtime, end to
// end: an event is published (as the chat or the ingestion pipeline does), a delivery row and a
// job are created, the job runner signs and POSTs it to a receiver on loopback, and the attempt is
// logged. Prints deliveries/s for a burst, publish-to-receipt latency for the burst and for a
// steady 20 events/s, and what publishing costs an organization without webhooks. BENCH_WEBHOOK_EVENTS (default 2000) events per run.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, count, eq, gte } from 'drizzle-orm';
import { webhookAttempts, webhookDeliveries } from '../db/schema';
import { publishEvent } from '../functions/core/events/publish';
import { startLocalRuntime, type LocalRuntime } from '../functions/local-runtime';
import { createHttpServer } from '../functions/server';
import { startWebhookReceiver } from '../functions/testing/webhook-receiver';
import { percentile } from './bench-lib';
import { runAsTheProductRuns } from './product-node';

// The server runs in this process: under the flags `npm start` gives Node (product-node.ts).
if (!(await runAsTheProductRuns(import.meta.url))) process.exit();

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000);

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

async function setUp(runtime: LocalRuntime) {
  const server = createHttpServer(runtime, (_req, res) => res.writeHead(404).end());
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
    return (await res.json()) as any;
  };
  const signUp = async () => {
    const email = `bench-${crypto.randomUUID()}@example.com`;
    const user = await call('POST', '/api/v1/auth/register', undefined, { email, password: 'a-strong-password-1', name: 'Bench' });
    const org = await call('POST', '/api/v1/organizations', user.accessToken, { name: 'Bench' });
    return { token: user.accessToken as string, orgId: org.id as string };
  };
  return { server, call, signUp };
}

/**
 * Publishes `events` message events for `orgId` (all at once, or `perSecond` paced) and waits
 * until every delivery is received and logged.
 */
async function run(runtime: LocalRuntime, orgId: string, webhookId: string, receiver: Awaited<ReturnType<typeof startWebhookReceiver>>, events: number, perSecond?: number) {
  const { db } = runtime.services;
  const succeeded = async () =>
    (await db.select({ n: count() }).from(webhookDeliveries).where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.status, 'succeeded'))))[0].n;
  const before = await succeeded();
  const already = receiver.requests.length;
  const startedAt = new Date();
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    if (perSecond) await new Promise((done) => setTimeout(done, Math.max(0, started + (i * 1000) / perSecond - performance.now())));
    await publishEvent(runtime.services, orgId, 'message.created', { conversationId: crypto.randomUUID(), message: { id: crypto.randomUUID(), role: 'user', content: `Mensaje ${i}` } });
  }
  const published = performance.now();
  // Watch the receiver, not the database: polling PGlite would compete with the deliveries.
  await until(async () => receiver.requests.length - already >= events, 600_000, `${events} deliveries`);
  const finished = performance.now();
  await until(async () => (await succeeded()) - before >= events, 60_000, `${events} deliveries logged`);
  const received = receiver.requests.slice(already);
  const latencies = received.map((r) => r.receivedAt - Date.parse(r.body.createdAt));
  const [{ attempts }] = await db
    .select({ attempts: count() })
    .from(webhookAttempts)
    .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
    .where(and(eq(webhookDeliveries.webhookId, webhookId), gte(webhookAttempts.createdAt, startedAt)));
  return { seconds: (finished - started) / 1000, publishSeconds: (published - started) / 1000, received: received.length, eventIds: received.map((r) => r.body.id), latencies, attempts };
}

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-webhooks-'));
const runtime = await startLocalRuntime({
  dataDir,
  runJobs: true,
  env: { WEBHOOKS_ALLOW_LOOPBACK: 'true', AUTH_ATTEMPTS_PER_IP: '100000' },
});
const receiver = await startWebhookReceiver();
const { server, call, signUp } = await setUp(runtime);
try {
  const owner = await signUp();
  const webhook = await call('POST', '/api/v1/webhooks', owner.token, { url: receiver.url, events: ['message.created'] });

  // Warm-up: first queries, the keep-alive connection, the subscriptions cache.
  await run(runtime, owner.orgId, webhook.id, receiver, 50);
  const result = await run(runtime, owner.orgId, webhook.id, receiver, EVENTS);
  // Below capacity: how long after an event its delivery normally arrives.
  const paced = await run(runtime, owner.orgId, webhook.id, receiver, 200, 20);
  const duplicates = result.eventIds.length - new Set(result.eventIds).size;

  // An organization without webhooks: what every event costs it (one cache read after the first).
  const bystander = await signUp();
  const quiet = 2000;
  const quietStarted = performance.now();
  for (let i = 0; i < quiet; i++) await publishEvent(runtime.services, bystander.orgId, 'message.created', { i });
  await runtime.idle();
  const quietMs = performance.now() - quietStarted;

  console.log(`webhook deliveries, local runtime (PGlite, job runner), receiver on loopback answering 200`);
  console.log(`  events published          ${EVENTS} (publishing took ${result.publishSeconds.toFixed(2)} s)`);
  console.log(`  deliveries received       ${result.received} (${result.attempts} attempts logged, ${duplicates} duplicates)`);
  console.log(`  end to end                ${result.seconds.toFixed(2)} s  ->  ${(EVENTS / result.seconds).toFixed(0)} deliveries/s`);
  console.log(`  publish -> received, burst p50 ${percentile(result.latencies, 0.5)} ms   p95 ${percentile(result.latencies, 0.95)} ms   p99 ${percentile(result.latencies, 0.99)} ms (queue backlog)`);
  console.log(`  publish -> received, 20/s p50 ${percentile(paced.latencies, 0.5)} ms   p95 ${percentile(paced.latencies, 0.95)} ms   p99 ${percentile(paced.latencies, 0.99)} ms`);
  console.log(`  org without webhooks      ${((quietMs * 1000) / quiet).toFixed(0)} µs per published event (stream append + cached "no webhooks")`);
  if (result.received !== EVENTS || paced.received !== 200 || duplicates > 0) {
    console.error(`FAIL: ${result.received} of ${EVENTS} and ${paced.received} of 200 deliveries arrived, ${duplicates} duplicates`);
    process.exitCode = 1;
  }
} finally {
  await new Promise((done) => server.close(done));
  await receiver.close();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
