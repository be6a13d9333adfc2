// `npm run bench:purge`: the nightly retention purge deleting BENCH_PURGE_MESSAGES (1,000,000)
// expired messages on the local runtime while `/health` is probed every 20 ms. Prints the purge
// rate (messages/s) and /health p50/p99 during the purge (goal p99 < 50 ms).
//
// How the data is loaded, and why: the user, organization, bot and retention setting go through
// the HTTP API as a customer would. The expired conversations and messages are bulk-inserted with
// the runtime's own drizzle schema and database handle (`db.insert(messages).values([...])`,
// 4,000 rows per statement), not through the widget: a million widget turns would take hours and
// measure the chat path, not the purge, and an expired message cannot come through the widget
// anyway (the product stamps messages with the current time; these are back-dated 400 days).
// The rows are the same columns, indexes and constraints the product writes.
//
// The purge then runs as it does every night: the `purge-retention` job is queued and the local
// job runner (in the same process as the HTTP server, as `npm start` runs it) executes it, in
// rounds of ~20 s that continue themselves, until it writes its audit entry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog, contacts, conversations, messages } from '../db/schema';
import { startLocalRuntime } from '../functions/local-runtime';
import { formatGateStats, formatLoopDelay, startLoopMonitor } from '../functions/adapters/local/loop-monitor';
import { jsonApi, loadAverage, percentile, serveOnLoopback } from './bench-lib';
import { runAsTheProductRuns } from './product-node';

// The server runs in this process: under the flags `npm start` gives Node (product-node.ts).
if (!(await runAsTheProductRuns(import.meta.url))) process.exit();

const TOTAL = Number(process.env.BENCH_PURGE_MESSAGES ?? 1_000_000);
const PER_CONVERSATION = 100;
const INSERT_ROWS = 4000;
const PROBE_MS = 20;
const DAY_MS = 86_400_000;

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-purge-'));
const runtime = await startLocalRuntime({ dataDir, runJobs: true, env: { AUTH_ATTEMPTS_PER_IP: '100000' } });
const { server, base } = await serveOnLoopback(runtime);
const api = jsonApi(base);
try {
  const user = await api('POST', '/api/v1/auth/register', undefined, { email: 'purge@example.com', password: 'a-strong-password-1', name: 'Bench' });
  let token = user.accessToken as string;
  // Access tokens live 15 minutes and loading a million rows on a busy machine takes longer.
  const login = async () => (token = (await api('POST', '/api/v1/auth/login', undefined, { email: 'purge@example.com', password: 'a-strong-password-1' })).accessToken);
  const org = await api('POST', '/api/v1/organizations', token, { name: 'Purge bench' });
  const bot = await api('POST', '/api/v1/chatbots', token, { name: 'Bench bot', model: 'builtin:extractive' });
  const { db } = runtime.services;

  console.log(`loading ${TOTAL.toLocaleString('en')} messages 400 days old (${PER_CONVERSATION} per conversation), bulk insert through the runtime's drizzle schema…`);
  const loadStarted = performance.now();
  const old = new Date(Date.now() - 400 * DAY_MS);
  const conversationCount = Math.ceil(TOTAL / PER_CONVERSATION);
  const conversationIds: string[] = [];
  for (let i = 0; i < conversationCount; i += 500) {
    const n = Math.min(500, conversationCount - i);
    const people = await db
      .insert(contacts)
      .values(Array.from({ length: n }, (_, k) => ({ organizationId: org.id, channel: 'web' as const, externalId: `bench-${i + k}`, createdAt: old })))
      .returning({ id: contacts.id });
    const convs = await db
      .insert(conversations)
      .values(people.map((p) => ({ organizationId: org.id, botId: bot.id, contactId: p.id, channel: 'web' as const, createdAt: old, lastMessageAt: old, messageCount: PER_CONVERSATION })))
      .returning({ id: conversations.id });
    conversationIds.push(...convs.map((c) => c.id));
  }
  let loaded = 0;
  while (loaded < TOTAL) {
    const n = Math.min(INSERT_ROWS, TOTAL - loaded);
    await db.insert(messages).values(
      Array.from({ length: n }, (_, k) => {
        const i = loaded + k;
        return {
          organizationId: org.id,
          conversationId: conversationIds[Math.floor(i / PER_CONVERSATION)],
          role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
          content: i % 2 === 0 ? `¿Dónde está mi pedido ${i}? Escribidme a cliente${i}@example.com` : `Tu pedido ${i} sale mañana desde el almacén ${i % 7}.`,
          channel: 'web' as const,
          createdAt: new Date(old.getTime() + i),
        };
      }),
    );
    loaded += n;
    if (loaded % 100_000 < INSERT_ROWS) console.log(`  … ${loaded.toLocaleString('en')} (${((performance.now() - loadStarted) / 1000).toFixed(0)} s)`);
  }
  console.log(`loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
  // Statistics as the runtime would have them after a day of traffic, so the purge's plans are real ones.
  await db.execute(sql`analyze messages`);

  // The API client's idle keep-alive socket may have been closed by the server during the load.
  await fetch(`${base}/health`).catch(() => undefined);
  await login();
  await api('PATCH', '/api/v1/privacy/settings', token, { retention: { messagesDays: 30 } });

  const probes: number[] = [];
  const failures: string[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        const res = await fetch(`${base}/health`);
        await res.arrayBuffer();
        if (!res.ok) failures.push(`HTTP ${res.status}`);
      } catch (error) {
        failures.push(String(error));
      }
      probes.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, Math.max(0, PROBE_MS - (performance.now() - started))));
    }
  })();

  // Baseline: /health on the idle server, for comparison. The server runs in this process, so
  // this process's event-loop delay is the server's.
  const loop = startLoopMonitor();
  await new Promise((r) => setTimeout(r, 2000));
  const idle = probes.splice(0);
  const idleLoop = loop.read({ reset: true });
  runtime.database.gate.stats({ reset: true });
  console.log(`before the purge: ${loadAverage()}`);

  const purgeStarted = performance.now();
  await api('POST', '/api/v1/privacy/retention/run', token);
  let entry: typeof auditLog.$inferSelect | undefined;
  while (!entry) {
    await new Promise((r) => setTimeout(r, 1000));
    [entry] = await db.select().from(auditLog).where(and(eq(auditLog.organizationId, org.id), eq(auditLog.action, 'privacy.retention_purged'))).limit(1);
    const seconds = (performance.now() - purgeStarted) / 1000;
    if (Math.round(seconds) % 10 === 0 && probes.length > 0) {
      console.log(`  … ${seconds.toFixed(0)} s: /health p50 ${percentile(probes, 0.5).toFixed(1)} ms, p99 ${percentile(probes, 0.99).toFixed(1)} ms`);
    }
  }
  const purgeSeconds = (performance.now() - purgeStarted) / 1000;
  probing = false;
  await prober;
  const purgeLoop = loop.read();
  const purgeGate = runtime.database.gate.stats();
  loop.stop();
  const counts = entry.metadata.counts as { messages: number };
  const left = await db.$count(messages, eq(messages.organizationId, org.id));

  console.log(`\npurge (job purge-retention on the local runtime's job runner, same process as the HTTP server):`);
  console.log(`  ${counts.messages.toLocaleString('en')} messages deleted in ${purgeSeconds.toFixed(1)} s: ${Math.round(counts.messages / purgeSeconds).toLocaleString('en')} messages/s (${left} left)`);
  console.log(`/health idle (${idle.length} probes): p50 ${percentile(idle, 0.5).toFixed(1)} ms, p99 ${percentile(idle, 0.99).toFixed(1)} ms; ${formatLoopDelay(idleLoop)}`);
  console.log(
    `/health during the purge (${probes.length} probes every ${PROBE_MS} ms, ${failures.length} failed): p50 ${percentile(probes, 0.5).toFixed(1)} ms, p99 ${percentile(probes, 0.99).toFixed(1)} ms (goal < 50 ms), max ${Math.max(...probes).toFixed(1)} ms`,
  );
  console.log(`during the purge: ${formatLoopDelay(purgeLoop)}`);
  console.log(formatGateStats(purgeGate));
  console.log(`after the purge: ${loadAverage()}`);
} finally {
  await new Promise((done) => server.close(done));
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
