// `npm run bench:edge-load`: the Worker under load in workerd (`wrangler dev`, the edge suite's
// stack: local Postgres 15 behind the Neon WebSocket proxy, redis-server behind the fake Upstash,
// fake QStash/Pinecone/mail) with a zero-latency OpenAI-compatible model on loopback.
//   1. the cost of one widget message, measured alone: SQL statements (counted in the WebSocket
//      proxy, Postgres wire protocol) and Upstash round trips / commands (counted at the fake),
//      including what runs after the response (waitUntil) and the jobs QStash delivers back;
//   2. open-loop steps of increasing rate (BENCH_EDGE_LOAD_RATES, default 2,5,10,20,40 messages/s),
//      BENCH_EDGE_LOAD_STEP_SECONDS each (default 15), across 20 widget sessions; stops at the first
//      step with an error, a refusal or that falls behind. Prints the highest sustained rate with 0
//      errors. Overload must be refused as the API promises (503 `overloaded` with Retry-After, or
//      that code in a started stream before the question is stored): counted apart from errors.
// Loopback only; stops by itself. Numbers are for this machine (2 shared cores run the Worker,
// Postgres, Redis, the fakes and the client), not for Cloudflare.
import { startFakeOpenAI, parseSse } from '../functions/testing/fake-openai';
import { startEdgeStack } from '../tests/edge/global-setup';
import { percentile } from './bench-lib';

const RATES = (process.env.BENCH_EDGE_LOAD_RATES ?? '2,5,10,20,40').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_EDGE_LOAD_STEP_SECONDS ?? 15);
const SESSIONS = 20;
const ALONE = 5;

const llm = await startFakeOpenAI({ recordRequests: false });
llm.reply = () => 'Según la documentación, el plazo es de 30 días.';
const { context: edge, teardown, sqlStatements } = await startEdgeStack({
  vars: {
    COMPATIBLE_BASE_URL: llm.url,
    COMPATIBLE_MODELS: 'zero-latency',
    ALLOW_PRIVATE_URLS: 'true',
    WIDGET_MESSAGES_PER_SESSION: '1000000',
    WIDGET_MESSAGES_PER_IP: '1000000',
    AUTH_ATTEMPTS_PER_IP: '100000',
  },
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${edge.baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Origin: edge.baseUrl, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function upstash() {
  return (await (await fetch(`${edge.upstash.url}/__commands`)).json()) as { requests: number; total: number; byCommand: Record<string, number> };
}

/** Overload answered as the API promises: 503 `overloaded`, or that code in a started stream, with when to retry. */
class Refused extends Error {}

/** One widget message, read to its end; throws unless the answer arrived. Returns ms to the end. */
async function sendMessage(botId: string, session: string, text: string) {
  const started = performance.now();
  const res = await fetch(`${edge.baseUrl}/api/v1/widget/${botId}/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session}` },
    body: JSON.stringify({ message: text }),
  });
  const body = await res.text();
  if (res.status === 503 && res.headers.get('Retry-After')) throw new Refused(`chat -> 503 ${body.slice(0, 200)}`);
  if (res.status !== 200) throw new Error(`chat -> ${res.status} ${body.slice(0, 300)}`);
  const events = parseSse(body);
  const error = events.find((e) => e.event === 'error');
  if (error?.data.code === 'overloaded' && error.data.retryAfterSeconds) throw new Refused(`overloaded event: ${body.slice(0, 200)}`);
  if (error || !events.some((e) => e.event === 'done' && e.data.message)) throw new Error(`no answer: ${body.slice(0, 300)}`);
  return performance.now() - started;
}

const settle = () => new Promise((r) => setTimeout(r, 2000));

try {
  const email = `bench-edge-load-${crypto.randomUUID()}@example.com`;
  const { accessToken: token } = await call('POST', '/api/v1/auth/register', { email, password: 'correct-horse-battery-staple', name: 'Bench' });
  await call('POST', '/api/v1/organizations', { name: 'Bench edge load' }, token);
  const bot = await call('POST', '/api/v1/chatbots', { name: 'Bench', model: 'compatible:zero-latency', memorySize: 10 }, token);
  await call('POST', `/api/v1/chatbots/${bot.id}/deploy`, undefined, token);
  const sessions: string[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push((await call('POST', `/api/v1/widget/${bot.id}/session`, {})).sessionToken);
  await sendMessage(bot.id, sessions[0]!, 'Hola'); // warm the isolate
  await settle();

  // 1. Cost of one message, alone (a session's second turn onward, with history).
  const sql0 = sqlStatements();
  const kv0 = await upstash();
  for (let i = 0; i < ALONE; i++) await sendMessage(bot.id, sessions[1]!, `¿Cuál es el plazo ${i}?`);
  await settle();
  const sqlPer = (sqlStatements() - sql0) / ALONE;
  const kv1 = await upstash();
  const kvRequestsPer = (kv1.requests - kv0.requests) / ALONE;
  const kvCommandsPer = (kv1.total - kv0.total) / ALONE;
  const byCommand = Object.fromEntries(
    Object.entries(kv1.byCommand)
      .map(([k, v]) => [k, (v - (kv0.byCommand[k] ?? 0)) / ALONE] as const)
      .filter(([, v]) => v > 0),
  );
  console.log(`\nOne widget message in workerd (mean of ${ALONE}, including work after the response):`);
  console.log(`  SQL statements: ${sqlPer.toFixed(1)}   Upstash round trips: ${kvRequestsPer.toFixed(1)} (${kvCommandsPer.toFixed(1)} commands: ${JSON.stringify(byCommand)})`);

  // 2. Increasing rates.
  let sustained = 0;
  const steps: string[] = [];
  for (const rate of RATES) {
    const total = rate * STEP_SECONDS;
    const durations: number[] = [];
    let errors = 0;
    let refused = 0;
    let firstError = '';
    const sqlBefore = sqlStatements();
    const kvBefore = await upstash();
    const started = performance.now();
    const inflight: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        sendMessage(bot.id, sessions[i % SESSIONS]!, `Pregunta ${rate}-${i}`).then(
          (ms) => void durations.push(ms),
          (error: Error) => {
            if (error instanceof Refused) refused += 1;
            else errors += 1;
            firstError ||= error.message;
          },
        ),
      );
    }
    await Promise.all(inflight);
    const seconds = (performance.now() - started) / 1000;
    await settle();
    const kvAfter = await upstash();
    const achieved = total / seconds;
    const line = `  ${String(rate).padStart(3)} msg/s target: ${achieved.toFixed(1)} msg/s achieved over ${seconds.toFixed(1)} s, ${errors} errors, ${refused} refused (503 overloaded + Retry-After), answered p50 ${(percentile(durations, 0.5) ?? NaN).toFixed(0)} ms, p95 ${(percentile(durations, 0.95) ?? NaN).toFixed(0)} ms; per message SQL ${((sqlStatements() - sqlBefore) / total).toFixed(1)}, Upstash round trips ${((kvAfter.requests - kvBefore.requests) / total).toFixed(1)}${firstError ? `\n      first failure: ${firstError.slice(0, 200)}` : ''}`;
    steps.push(line);
    console.log(line);
    // Falling behind: the step took 25% longer than its schedule (the queue grows without bound).
    if (errors > 0 || refused > 0 || seconds > STEP_SECONDS * 1.25) break;
    sustained = achieved;
  }
  console.log(`\nSustained with 0 errors and 0 refused: ${sustained.toFixed(1)} widget messages/s (zero-latency model; this machine runs everything).`);
  console.log(`Per message: SQL ${sqlPer.toFixed(1)}, Upstash round trips ${kvRequestsPer.toFixed(1)}, Upstash commands ${kvCommandsPer.toFixed(1)}.`);
} finally {
  await teardown();
  await llm.close();
}
