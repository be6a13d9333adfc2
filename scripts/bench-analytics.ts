// `npm run bench:analytics`: analytics on the local runtime over BENCH_ANALYTICS_MESSAGES
// (default 1,000,000) messages spread over the last 90 days of one organization, measured through
// real HTTP:
//   - the overview (30 days, previous period, today live)      target p50 < 100 ms
//   - a 90-day custom report, JSON and CSV                       target p50 < 500 ms
//   - the nightly roll-up of 89 days, and the 90-day report before any roll-up, for scale.
// A new message is written before each timed call, so today's live numbers are recomputed every
// time (no help from the live-rows cache); the overview is also timed with the cache warm.
// Data goes straight into PGlite with generate_series (a chat turn per message would take hours).
// BENCH_ANALYTICS_KEEP_DATA=1 keeps the data directory for poking at afterwards.
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, localToday } from '../functions/core/analytics/dates';
import { startLocalRuntime } from '../functions/local-runtime';
import { createHttpServer } from '../functions/server';
import { percentile } from './bench-lib';
import { runAsTheProductRuns } from './product-node';

// The server runs in this process: under the flags `npm start` gives Node (product-node.ts).
if (!(await runAsTheProductRuns(import.meta.url))) process.exit();

const MESSAGES = Number(process.env.BENCH_ANALYTICS_MESSAGES ?? 1_000_000);
const DAYS = 90;
const BOTS = 4;
const PER_CONVERSATION = 7;
const CONVERSATIONS = Math.ceil(MESSAGES / PER_CONVERSATION);
const CONTACTS = Math.ceil(CONVERSATIONS / 3);
const TIME_ZONE = 'America/Mexico_City';
const RUNS = 20;

const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-analytics-'));
const runtime = await startLocalRuntime({ dataDir, env: { AUTH_ATTEMPTS_PER_IP: '100000' } });
const server = createHttpServer(runtime, (_req, res) => res.writeHead(404).end());
// Seeding keeps the client quiet for a minute; a reused keep-alive socket must still be open.
server.keepAliveTimeout = 10 * 60_000;
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function api(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 500)}`);
  return { text, json: () => JSON.parse(text) };
}

/**
 * Wall time, and this process's CPU time for the same call: client, server and PGlite all run
 * on this one thread, so CPU time is the work itself, and it stays meaningful when other
 * processes crowd the machine (wall time does not; the load average is printed with the figures).
 */
async function measure(label: string, call: () => Promise<unknown>, before?: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await call();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await before?.();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await call();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const result = { wall: percentile(wall, 0.5), cpu: percentile(cpu, 0.5) };
  console.log(
    `  ${label.padEnd(52)} p50 ${result.wall.toFixed(1).padStart(7)} ms   p95 ${percentile(wall, 0.95).toFixed(1).padStart(7)} ms   CPU p50 ${result.cpu.toFixed(1).padStart(6)} ms`,
  );
  return result;
}

const load = () => loadavg().map((n) => n.toFixed(1)).join(' ');

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * Synthetic traffic: conversations evenly over the 90 local days up to a few minutes ago, 7
 * messages each (visitor and bot alternating; every 7th conversation handed to a person, whose
 * reply ends it), with realistic mixes of models, latencies, gaps, failures, ratings and thumbs.
 */
async function seed(orgId: string, botIds: string[]) {
  const { pglite } = runtime.database;
  const firstDay = addDays(localToday(TIME_ZONE), -(DAYS - 1));
  const span = `(now() - interval '5 minutes') - ((('${firstDay}')::date)::timestamp at time zone '${TIME_ZONE}')`;
  const startOf = (i: string) => `((('${firstDay}')::date)::timestamp at time zone '${TIME_ZONE}') + (${span}) * (${i}::float8 / ${CONVERSATIONS})`;
  const channel = (contact: string) => `(array['web','web','whatsapp','telegram','messenger','instagram'])[1 + (${contact}) % 6]::channel_kind`;
  const questions = [
    '¿Cuál es el horario?', '¿Hacen envíos a Monterrey?', '¿Cuánto tarda un reembolso?', '¿Aceptan pagos con tarjeta?',
    '¿Dónde está mi pedido?', '¿Tienen factura electrónica?', 'Quiero cambiar mi dirección', '¿Hay descuentos para estudiantes?',
    '¿Puedo devolver un producto usado?', '¿Qué garantía tienen los equipos?', 'No puedo entrar a mi cuenta', '¿Venden al por mayor?',
  ].map((q) => `'${q.replace(/'/g, "''")}'`);

  let started = performance.now();
  await pglite.query(
    `insert into contacts (id, organization_id, channel, external_id, created_at)
     select md5('contact' || i)::uuid, $1, ${channel('i')}, 'visitor-' || i, now() - interval '${DAYS} days'
     from generate_series(0, ${CONTACTS - 1}) i`,
    [orgId],
  );
  await pglite.query(
    `insert into conversations (id, organization_id, bot_id, contact_id, channel, status, handoff, handed_off_at, first_response_at,
       resolved_at, rating, message_count, last_message_at, created_at)
     select md5('conversation' || i)::uuid, $1, ($2::uuid[])[1 + i % ${BOTS}], md5('contact' || (i % ${CONTACTS}))::uuid, ${channel(`i % ${CONTACTS}`)},
       (case when i % 5 < 3 then 'resolved' when i % 5 = 3 then 'closed' else 'open' end)::conversation_status,
       (case when i % 7 = 0 then 'human' else 'bot' end)::handoff_state,
       case when i % 7 = 0 then t + interval '50 seconds' end,
       t + interval '1 millisecond' * (300 + (i * 7919) % 2500),
       case when i % 5 < 4 then t + interval '10 minutes' end,
       case when i % 4 = 0 then 1 + (i * 31) % 5 end,
       ${PER_CONVERSATION}, t + interval '2 minutes', t
     from generate_series(0, ${CONVERSATIONS - 1}) i, lateral (select ${startOf('i')} as t) s`,
    [orgId, botIds],
  );
  console.log(`  ${CONTACTS} contacts, ${CONVERSATIONS} conversations in ${seconds(started)}`);

  started = performance.now();
  await pglite.query(
    `insert into messages (organization_id, conversation_id, role, content, channel, model, input_tokens, output_tokens, latency_ms,
       time_to_first_token_ms, sources, is_fallback, error, feedback, created_at)
     select $1, md5('conversation' || c)::uuid,
       (case when k % 2 = 1 then 'assistant' when k = 6 and c % 7 = 0 then 'agent' else 'user' end)::message_role,
       case when k % 2 = 1 then 'Respuesta del asistente' when k = 6 and c % 7 = 0 then 'Hola, te atiende Ana' else (array[${questions.join(',')}])[(1 + (i * 13) % ${questions.length})::int] end,
       ${channel(`c % ${CONTACTS}`)},
       case when k % 2 = 1 then (array['openai:gpt-4o-mini','openai:gpt-4o-mini','groq:llama-3.1-8b-instant','builtin:extractive'])[1 + c % 4] end,
       case when k % 2 = 1 and c % 4 <> 3 then 600 + (i * 17) % 1400 end,
       case when k % 2 = 1 and c % 4 <> 3 then 40 + (i * 11) % 300 end,
       case when k % 2 = 1 then 200 + (i * 7919) % 4000 + case when i % 97 = 0 then 25000 else 0 end end,
       case when k % 2 = 1 then 80 + (i * 104729) % 900 end,
       case when k % 2 = 1 and i % 13 = 0 then '[]'::jsonb when k % 2 = 1 then '[{"documentId":"00000000-0000-0000-0000-000000000000","chunkId":"00000000-0000-0000-0000-000000000000","score":0.7}]'::jsonb else '[]'::jsonb end,
       k % 2 = 1 and i % 29 = 0,
       case when k % 2 = 1 and i % 101 = 0 then 'model timeout' end,
       case when k % 2 = 1 and i % 10 = 0 then 1 when k % 2 = 1 and i % 10 = 5 then -1 end,
       ${startOf('c')} + interval '20 seconds' * k
     -- bigint: the hash-like products below overflow int4 at a million rows.
     from generate_series(0::bigint, ${MESSAGES - 1}) i, lateral (select (i / ${PER_CONVERSATION})::int as c, (i % ${PER_CONVERSATION})::int as k) x`,
    [orgId],
  );
  console.log(`  ${MESSAGES.toLocaleString('en')} messages in ${seconds(started)}`);
}

try {
  console.log(`seeding ${MESSAGES.toLocaleString('en')} messages over ${DAYS} days (${TIME_ZONE})…`);
  const user = (await api('POST', '/api/v1/auth/register', undefined, { email: 'bench@example.com', password: 'a-strong-password-1', name: 'Bench' })).json();
  const token = user.accessToken as string;
  const org = (await api('POST', '/api/v1/organizations', token, { name: 'Bench', timezone: TIME_ZONE })).json();
  const botIds: string[] = [];
  for (let b = 0; b < BOTS; b++) botIds.push((await api('POST', '/api/v1/chatbots', token, { name: `Asistente ${b + 1}` })).json().id);
  await seed(org.id, botIds);

  const today = localToday(TIME_ZONE);
  const report90 = (format: 'json' | 'csv') =>
    api('POST', '/api/v1/reports/custom', token, { from: addDays(today, -(DAYS - 1)), to: today, groupBy: 'day', format });

  console.log('before any roll-up (everything computed from messages):');
  let started = performance.now();
  await report90('json');
  console.log(`  90-day report, one cold run                   ${(performance.now() - started).toFixed(0)} ms`);

  started = performance.now();
  await runtime.queue.enqueue('rollup-daily-metrics', { organizationId: org.id, days: DAYS - 1 });
  await runtime.queue.drain({ timeoutMs: 30 * 60_000 });
  const rolled = (await runtime.database.pglite.query<{ rows: number }>(`select count(*)::int as rows from daily_metrics where organization_id = $1`, [org.id])).rows[0];
  console.log(`nightly roll-up of ${DAYS - 1} past days: ${seconds(started)} (${rolled.rows} daily_metrics rows; one day ≈ ${((performance.now() - started) / (DAYS - 1)).toFixed(0)} ms)`);

  const overview = JSON.parse((await api('GET', '/api/v1/analytics/overview', token)).text);
  console.log(
    `overview numbers (30 days): ${overview.totals.conversations} conversations, ${overview.totals.messages} messages, ` +
      `today so far ${overview.today.messages} messages, p50 answer ${overview.totals.responseTime.p50} ms, cost $${overview.totals.costUsd.toFixed(2)}`,
  );

  // A visitor's message lands before each call, so today's live numbers are recomputed every time.
  const { pglite } = runtime.database;
  const conversationToday = (
    await pglite.query<{ id: string }>(`select id from conversations where organization_id = $1 order by created_at desc limit 1`, [org.id])
  ).rows[0].id;
  const newMessage = () =>
    pglite.query(`insert into messages (organization_id, conversation_id, role, content, channel) values ($1, $2, 'user', 'hola', 'web')`, [org.id, conversationToday]);

  console.log(`with roll-ups (past days from daily_metrics, today live), ${RUNS} runs after 3 warm-ups; load average ${load()}:`);
  const overviewP50 = await measure('GET /analytics/overview, new message each time', () => api('GET', '/api/v1/analytics/overview', token), newMessage);
  await measure('GET /analytics/overview, nothing new (cached today)', () => api('GET', '/api/v1/analytics/overview', token));
  const reportP50 = await measure('POST /reports/custom, 90 days by day, JSON', () => report90('json'), newMessage);
  const csvP50 = await measure('POST /reports/custom, 90 days by day, CSV', () => report90('csv'), newMessage);
  await measure('GET /reports/monthly (last complete month)', () => api('GET', '/api/v1/reports/monthly', token));
  await measure('GET /analytics/knowledge-gaps (30 days)', () => api('GET', '/api/v1/analytics/knowledge-gaps', token), newMessage);

  const verdict = (value: number, target: number) => (value < target ? 'met' : 'MISSED');
  const report = { wall: Math.max(reportP50.wall, csvP50.wall), cpu: Math.max(reportP50.cpu, csvP50.cpu) };
  console.log(`load average at the end: ${load()}`);
  console.log(
    `targets (p50, wall / CPU): overview < 100 ms ${verdict(overviewP50.wall, 100)} / ${verdict(overviewP50.cpu, 100)}; ` +
      `90-day report < 500 ms ${verdict(report.wall, 500)} / ${verdict(report.cpu, 500)}`,
  );
  process.exitCode = overviewP50.wall < 100 && report.wall < 500 ? 0 : 1;
} finally {
  await new Promise((done) => server.close(done));
  await runtime.close();
  if (process.env.BENCH_ANALYTICS_KEEP_DATA) console.log(`data kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}
