// `npm run bench:channels`: channel webhooks on the local runtime (PGlite on disk, the job runner,
// the platform APIs faked on loopback), with signed WhatsApp Cloud API payloads:
//   - time from a webhook's arrival to our 200 (client side, loopback HTTP included), p50 / p95 / p99
//     over BENCH_CHANNELS_LATENCY sequential deliveries (default 500): first with the job runner
//     paused (the webhook's own cost; target p99 < 50 ms), then with the reply jobs running behind;
//   - inbound messages per second accepted by BENCH_CHANNELS_CONCURRENCY concurrent senders
//     (default 20) for BENCH_CHANNELS_SECONDS (default 20) while replies drain behind; then every
//     accepted message stored exactly once, redeliveries store nothing, and every reply is sent once;
//   - Slack (Events API, HMAC-signed) and Discord (Interactions, Ed25519-signed `/ask`): the same
//     webhook -> 200 p99 with the runner paused over BENCH_CHANNELS_PLATFORM_SAMPLES deliveries
//     (default 200), each delivered three times at once (Slack with X-Slack-Retry-Num), then 0 lost
//     and 0 duplicate replies once the runner drains.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, count, eq } from 'drizzle-orm';
import { messages } from '../db/schema';
import { signMetaPayload } from '../functions/core/channels/meta';
import { slackSignature } from '../functions/core/channels/slack';
import { toHex } from '../functions/lib/crypto';
import { startLocalRuntime } from '../functions/local-runtime';
import { startFakePlatforms } from '../functions/testing/fake-platforms';
import { serveOnLoopback, jsonApi, percentile } from './bench-lib';

const LATENCY_SAMPLES = Number(process.env.BENCH_CHANNELS_LATENCY ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CHANNELS_CONCURRENCY ?? 20);
const SUSTAIN_SECONDS = Number(process.env.BENCH_CHANNELS_SECONDS ?? 20);
const CONTACTS = 200;
const P99_TARGET_MS = 50;
const APP_SECRET = 'bench-app-secret-0123456789abcdef';
const PHONE_NUMBER_ID = '106540352242922';
const PLATFORM_SAMPLES = Number(process.env.BENCH_CHANNELS_PLATFORM_SAMPLES ?? 200);
const SLACK_SECRET = 'benchslacksigningsecret000000000';
const DISCORD_APP = '111111111111111111';
const DISCORD_TOKEN = 'MTExMTExMTExMTExMTExMTEx.bench.discord-bot-token-abcdefghijk';

const fake = await startFakePlatforms();
const dataDir = mkdtempSync(join(tmpdir(), 'versaai-bench-channels-'));
const runtime = await startLocalRuntime({
  dataDir,
  runJobs: true,
  env: { META_GRAPH_API_URL: fake.url, TELEGRAM_API_URL: fake.url, SLACK_API_URL: fake.url, DISCORD_API_URL: fake.url, DISCORD_GATEWAY_URL: fake.wsUrl, AUTH_ATTEMPTS_PER_IP: '100000' },
});
const { server, base } = await serveOnLoopback(runtime);

const api = jsonApi(base);

let sequence = 0;
/** A WhatsApp Cloud API text-message webhook, as Meta sends it, signed with the app secret. */
async function signedPayload() {
  sequence += 1;
  const from = String(34600000000 + (sequence % CONTACTS));
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: `Cliente ${sequence % CONTACTS}` }, wa_id: from }],
              messages: [{ from, id: `wamid.BENCH${sequence}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '¿Cuál es el horario de la tienda?' } }],
            },
          },
        ],
      },
    ],
  });
  return { body, signature: await signMetaPayload(APP_SECRET, body) };
}

async function deliver(hook: string, payload: { body: string; signature: string }) {
  const started = performance.now();
  const res = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': payload.signature }, body: payload.body });
  const outcome = (await res.json()) as { stored?: number; duplicates?: number };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`webhook -> ${res.status} ${JSON.stringify(outcome)}`);
  return { ms, outcome };
}

async function storedUserMessages(orgId: string) {
  const [row] = await runtime.services.db
    .select({ n: count() })
    .from(messages)
    .where(and(eq(messages.organizationId, orgId), eq(messages.role, 'user')));
  return Number(row.n);
}

async function waitForReplies(expected: number, timeoutMs: number) {
  const started = performance.now();
  while (fake.sent().length < expected) {
    if (performance.now() - started > timeoutMs) throw new Error(`only ${fake.sent().length} of ${expected} replies sent after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Signed = { body: string; headers: Record<string, string> };
let discordKeys: CryptoKeyPair | undefined;

/** A Slack message event (a DM, so every one is answered), signed with the signing secret. */
async function slackDelivery(n: number): Promise<Signed> {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T0BENCH',
    event_id: `EvBENCH${n}`,
    event: { type: 'message', channel_type: 'im', channel: `D0BENCH${n % CONTACTS}`, user: 'U0BENCH', text: '¿Cuál es el horario de la tienda?', ts: `1700000000.${String(n).padStart(6, '0')}` },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { body, headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SLACK_SECRET, timestamp, body) } };
}

/** A Discord `/ask` interaction, signed with the application's Ed25519 key. */
async function discordDelivery(n: number): Promise<Signed> {
  const body = JSON.stringify({
    type: 2,
    id: String(500000000000000000n + BigInt(n)),
    application_id: DISCORD_APP,
    token: `bench-interaction-${n}`,
    channel_id: String(600000000000000000n + BigInt(n % CONTACTS)),
    user: { id: '888888888888888888', username: 'bench' },
    data: { name: 'ask', options: [{ name: 'question', type: 3, value: '¿Cuál es el horario de la tienda?' }] },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, discordKeys!.privateKey, new TextEncoder().encode(timestamp + body));
  return { body, headers: { 'x-signature-ed25519': toHex(signature), 'x-signature-timestamp': timestamp } };
}

async function post(hook: string, payload: Signed, extra: Record<string, string> = {}) {
  const started = performance.now();
  const res = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', ...payload.headers, ...extra }, body: payload.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`webhook -> ${res.status} ${text}`);
  return performance.now() - started;
}

/** One platform: p99 with the runner paused, each delivery three times at once, then lost and duplicate counts. */
async function benchPlatform(platform: 'slack' | 'discord', token: string, botId: string, orgId: string): Promise<string[]> {
  if (platform === 'discord') {
    discordKeys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
  }
  const credentials =
    platform === 'slack'
      ? { botToken: 'xoxb-bench-0000-abcdefghijkl', signingSecret: SLACK_SECRET }
      : { applicationId: DISCORD_APP, publicKey: toHex(await crypto.subtle.exportKey('raw', discordKeys!.publicKey)), botToken: DISCORD_TOKEN };
  const integration = await api('POST', '/api/v1/integrations', token, { platform, name: `Bench ${platform}`, botId, credentials });
  await api('POST', `/api/v1/integrations/${integration.id}/connect`, token, {});
  const hook = `${base}/api/v1/channels/${platform}/${integration.id}`;
  await runtime.queue.drain({ timeoutMs: 60_000 });
  const sentBefore = fake.sent().length;
  const storedBefore = await storedUserMessages(orgId);
  const make = platform === 'slack' ? slackDelivery : discordDelivery;
  await runtime.queue.stop();
  const latencies: number[] = [];
  for (let i = 0; i < PLATFORM_SAMPLES; i++) {
    const payload = await make(sequence++);
    // The first delivery is timed; the two redeliveries race each other, as Slack's retries and Discord's do.
    latencies.push(await post(hook, payload));
    await Promise.all([post(hook, payload, platform === 'slack' ? { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } : {}), post(hook, payload, platform === 'slack' ? { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' } : {})]);
  }
  const p99 = percentile(latencies, 0.99);
  console.log(`${platform}: webhook -> 200, runner paused, ${PLATFORM_SAMPLES} deliveries (each x3): p50 ${percentile(latencies, 0.5).toFixed(1)} ms   p99 ${p99.toFixed(1)} ms`);
  await runtime.queue.start();
  const stored = (await storedUserMessages(orgId)) - storedBefore;
  await waitForReplies(sentBefore + PLATFORM_SAMPLES, 10 * 60_000);
  await runtime.queue.drain({ timeoutMs: 60_000 });
  const duplicates = fake.sent().length - sentBefore - PLATFORM_SAMPLES;
  console.log(`  stored ${stored} of ${PLATFORM_SAMPLES} (lost ${PLATFORM_SAMPLES - stored}), duplicate replies ${duplicates}`);
  return [
    p99 >= P99_TARGET_MS ? `${platform} p99 ${p99.toFixed(1)} ms (runner paused) is over ${P99_TARGET_MS} ms` : null,
    stored !== PLATFORM_SAMPLES ? `${platform}: ${PLATFORM_SAMPLES - stored} messages lost or stored twice` : null,
    duplicates !== 0 ? `${platform}: ${duplicates} duplicate replies` : null,
  ].filter((f): f is string => f !== null);
}

try {
  const user = await api('POST', '/api/v1/auth/register', undefined, { email: 'bench-channels@example.com', password: 'a-strong-password-1', name: 'Bench' });
  const token = user.accessToken;
  const org = await api('POST', '/api/v1/organizations', token, { name: 'Bench' });
  const kb = await api('POST', '/api/v1/knowledge-bases', token, { name: 'Ayuda' });
  await api('POST', `/api/v1/knowledge-bases/${kb.id}/documents`, token, { type: 'text', name: 'Horario', text: 'La tienda abre de lunes a sábado de 10:00 a 20:00. Los domingos está cerrada.' });
  await runtime.queue.drain();
  const bot = await api('POST', '/api/v1/chatbots', token, { name: 'Bench', model: 'builtin:extractive', knowledgeBaseIds: [kb.id] });
  await api('POST', `/api/v1/chatbots/${bot.id}/deploy`, token);
  const integration = await api('POST', '/api/v1/integrations', token, {
    platform: 'whatsapp',
    name: 'Bench',
    botId: bot.id,
    credentials: { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'EAAG-bench-access-token', appSecret: APP_SECRET },
  });
  await api('POST', `/api/v1/integrations/${integration.id}/connect`, token, {});
  const hook = `${base}/api/v1/channels/whatsapp/${integration.id}`;
  fake.reset();

  // Warm-up: first statements plan and cache; not measured.
  for (let i = 0; i < 20; i++) await deliver(hook, await signedPayload());
  await waitForReplies(20, 60_000);

  const measure = async (label: string) => {
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) latencies.push((await deliver(hook, await signedPayload())).ms);
    const p99 = percentile(latencies, 0.99);
    console.log(`  ${label.padEnd(28)} p50 ${percentile(latencies, 0.5).toFixed(1)} ms   p95 ${percentile(latencies, 0.95).toFixed(1)} ms   p99 ${p99.toFixed(1)} ms   max ${Math.max(...latencies).toFixed(1)} ms`);
    return p99;
  };
  // PGlite runs queries one at a time on this process's thread: other work on the machine shows up in the figures.
  console.log(`machine: ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  console.log(`webhook arrival -> 200, ${LATENCY_SAMPLES} sequential deliveries each (target p99 < ${P99_TARGET_MS} ms):`);
  await runtime.queue.stop();
  const p99 = await measure('job runner paused');
  await runtime.queue.start();
  await measure('reply jobs running behind');
  let expectedReplies = 20 + 2 * LATENCY_SAMPLES;

  console.log(`throughput: ${CONCURRENCY} concurrent senders for ${SUSTAIN_SECONDS} s, replies draining behind…`);
  const before = await storedUserMessages(org.id);
  const sentBefore = fake.sent().length;
  const deadline = performance.now() + SUSTAIN_SECONDS * 1000;
  const accepted: Array<{ body: string; signature: string }> = [];
  let errors = 0;
  const sustainStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const payload = await signedPayload();
        try {
          const { outcome } = await deliver(hook, payload);
          if (outcome.stored === 1) accepted.push(payload);
          else errors += 1;
        } catch (error) {
          errors += 1;
          console.error(error);
        }
      }
    }),
  );
  const sustainSeconds = (performance.now() - sustainStarted) / 1000;
  const stored = (await storedUserMessages(org.id)) - before;
  expectedReplies += accepted.length;
  console.log(`  accepted ${accepted.length} messages in ${sustainSeconds.toFixed(1)} s = ${(accepted.length / sustainSeconds).toFixed(0)} msg/s, errors ${errors}, stored ${stored} (lost ${accepted.length - stored})`);
  console.log(`  replies sent meanwhile: ${fake.sent().length - sentBefore}`);

  // Redeliveries (Meta retries for up to 36 hours): nothing new is stored, nothing is answered twice.
  const replays = accepted.slice(0, 200);
  for (const payload of replays) {
    const { outcome } = await deliver(hook, payload);
    if (outcome.duplicates !== 1) throw new Error(`a redelivery was not recognised: ${JSON.stringify(outcome)}`);
  }
  const afterReplays = (await storedUserMessages(org.id)) - before;
  console.log(`  ${replays.length} redeliveries: stored ${afterReplays - stored} more (expected 0)`);

  await waitForReplies(expectedReplies, 15 * 60_000);
  const drainMs = performance.now() - (sustainStarted + sustainSeconds * 1000);
  // Let any stray second send show up before counting.
  await runtime.queue.drain({ timeoutMs: 60_000 });
  const duplicates = fake.sent().length - expectedReplies;
  console.log(`  backlog drained ${(drainMs / 1000).toFixed(1)} s after the senders stopped; ${expectedReplies} replies in all, duplicate sends ${duplicates}`);

  const platformFailures: string[] = [];
  for (const platform of ['slack', 'discord'] as const) platformFailures.push(...(await benchPlatform(platform, token, bot.id, org.id)));

  const failedChecks = [
    ...platformFailures,
    p99 >= P99_TARGET_MS ? `p99 ${p99.toFixed(1)} ms (runner paused) is over ${P99_TARGET_MS} ms` : null,
    stored !== accepted.length ? `${accepted.length - stored} accepted messages were not stored` : null,
    afterReplays !== stored ? 'a redelivery was stored twice' : null,
    duplicates !== 0 ? `${duplicates} replies were sent twice` : null,
    errors > 0 ? `${errors} deliveries failed` : null,
  ].filter(Boolean);
  if (failedChecks.length > 0) {
    console.error(`FAIL: ${failedChecks.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await new Promise((done) => server.close(done));
  await runtime.close();
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
}
