// `npm run bench:chat`: the chat engine's own cost on the local runtime, against a zero-latency
// OpenAI-compatible server on loopback and a 10k-chunk knowledge base:
//   - server overhead per message (request in -> first token out, minus the model's time),
//     p50 / p99 at 20 concurrent widget sessions;
//   - SQL and KV round trips per chat turn: KV calls on the local adapter, and KV round trips on the
//     edge adapter (adapters/edge/kv.ts against the edge suite's fake Upstash REST API in front of a
//     real redis-server: each HTTP request it serves is one round trip);
//   - messages per second sustained for BENCH_CHAT_SECONDS (default 60), zero errors, all stored.
import { count } from 'drizzle-orm';
import { messages } from '../db/schema';
import { parseSse } from '../functions/testing/fake-openai';
import { knowledgeText, percentile, settleAfterIngestion, startChatBench, startEdgeKv } from './bench-lib';
import { eq } from 'drizzle-orm';
import { organizations } from '../db/schema';
import { forgetBot } from '../functions/core/chat/bot-runtime';
import { countBotAnswer } from '../functions/core/billing/messages-quota';
import { runAsTheProductRuns } from './product-node';

// The server runs in this process: under the flags `npm start` gives Node (product-node.ts).
if (!(await runAsTheProductRuns(import.meta.url))) process.exit();

const SESSIONS = 20;
const CHUNKS = Number(process.env.BENCH_CHAT_CHUNKS ?? 10_000);
const SUSTAIN_SECONDS = Number(process.env.BENCH_CHAT_SECONDS ?? 60);

const { llm, runtime, base, api, close } = await startChatBench('chat');


/** One widget message; returns ms from sending to the first token (client side) and the model's share. */
async function sendMessage(sessionToken: string, botId: string, text: string) {
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/widget/${botId}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
    body: JSON.stringify({ message: text }),
  });
  if (res.status !== 200) throw new Error(`chat -> ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let firstToken = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    if (!firstToken && buffer.includes('event: token')) firstToken = performance.now() - started;
  }
  const events = parseSse(buffer);
  if (!events.some((e) => e.event === 'done' && e.data.message)) throw new Error(`no answer: ${buffer.slice(0, 300)}`);
  if (events.some((e) => e.event === 'error')) throw new Error(`error event: ${buffer.slice(0, 300)}`);
  return firstToken;
}

try {
  console.log(`setting up: ${CHUNKS} chunks through the real ingestion pipeline…`);
  const user = await api('POST', '/api/v1/auth/register', undefined, { email: 'bench@example.com', password: 'a-strong-password-1', name: 'Bench' });
  const token = user.accessToken;
  await api('POST', '/api/v1/organizations', token, { name: 'Bench' });
  const kb = await api('POST', '/api/v1/knowledge-bases', token, { name: 'Bench', chunking: { strategy: 'structure', chunkSize: 60, chunkOverlap: 0 } });
  const setupStarted = performance.now();
  // A file upload: the text is larger than a JSON body may be.
  const form = new FormData();
  form.append('file', new File([knowledgeText(CHUNKS)], 'centro-de-ayuda.md', { type: 'text/markdown' }));
  const uploaded = await fetch(`${base}/api/v1/knowledge-bases/${kb.id}/documents/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (uploaded.status !== 202) throw new Error(`upload -> ${uploaded.status} ${await uploaded.text()}`);
  const doc = (await uploaded.json()) as { id: string };
  for (;;) {
    const current = await api('GET', `/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`, token);
    if (current.status === 'ready') {
      console.log(`  knowledge base ready: ${current.chunkCount} chunks in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
      break;
    }
    if (current.status === 'failed') throw new Error(current.error);
    await new Promise((r) => setTimeout(r, 200));
  }
  await settleAfterIngestion(runtime);
  const bot = await api('POST', '/api/v1/chatbots', token, { name: 'Bench', model: 'compatible:zero-latency', knowledgeBaseIds: [kb.id], memorySize: 10 });
  await api('POST', `/api/v1/chatbots/${bot.id}/deploy`, token);
  const sessions: string[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push((await api('POST', `/api/v1/widget/${bot.id}/session`, undefined, {})).sessionToken);

  // Model time: the fake server answers at once; measure its own time to first byte anyway.
  const modelStarted = performance.now();
  const modelRes = await fetch(`${llm.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'zero-latency', stream: true, messages: [{ role: 'user', content: 'x' }] }) });
  await modelRes.body!.getReader().read();
  const modelMs = performance.now() - modelStarted;

  // Round trips of one turn, measured alone.
  const { pglite } = runtime.database;
  let sql = 0;
  const originalQuery = pglite.query.bind(pglite);
  const originalExec = pglite.exec.bind(pglite);
  (pglite as any).query = (...args: unknown[]) => (sql++, (originalQuery as any)(...args));
  (pglite as any).exec = (...args: unknown[]) => (sql++, (originalExec as any)(...args));
  let kv = 0;
  const kvStore = runtime.services.kv as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['get', 'getMany', 'set', 'del', 'incr', 'rateLimit', 'rateLimitAll', 'streamAppend', 'streamRead', 'streamLastId'] as const) {
    const original = kvStore[name].bind(kvStore);
    kvStore[name] = (...args: unknown[]) => (kv++, original(...args));
  }
  await sendMessage(sessions[0], bot.id, '¿Cuál es el plazo de devoluciones 42?');
  sql = 0;
  kv = 0;
  await sendMessage(sessions[0], bot.id, '¿Qué dice el artículo 77 sobre garantía?');
  console.log(`round trips per chat turn (widget, hybrid retrieval, model answer): SQL ${sql}, KV calls on the local adapter ${kv}`);
  (pglite as any).query = originalQuery;
  (pglite as any).exec = originalExec;

  // Plan limits: the same turn, one session at a time, with limits off (no billing: `unlimited`,
  // no KV call) and on (billing configured, the `business` plan: one INCR per answer). The
  // difference of the medians is what the limit check costs a turn.
  const config = runtime.services.config as { STRIPE_SECRET_KEY?: string };
  const [orgRow] = await runtime.services.db.select({ id: organizations.id }).from(organizations).limit(1);
  async function setLimits(on: boolean) {
    config.STRIPE_SECRET_KEY = on ? 'sk_bench_limits' : undefined;
    await runtime.services.db.update(organizations).set({ plan: on ? 'business' : 'free' }).where(eq(organizations.id, orgRow!.id));
    await forgetBot(runtime.services, bot.id);
  }
  async function sequentialTurns(label: string, n: number) {
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(await sendMessage(sessions[1], bot.id, `Pregunta ${label} ${i} sobre el envío ${i % 53}`));
    return times;
  }
  const LIMIT_TURNS = Number(process.env.BENCH_CHAT_LIMIT_TURNS ?? 150);
  const withoutLimits: number[] = [];
  const withLimits: number[] = [];
  // Interleaved blocks, so drift (JIT, caches, the other processes on the machine) hits both alike.
  for (let block = 0; block < 6; block++) {
    await setLimits(false);
    withoutLimits.push(...(await sequentialTurns(`off${block}`, LIMIT_TURNS / 6)));
    await setLimits(true);
    withLimits.push(...(await sequentialTurns(`on${block}`, LIMIT_TURNS / 6)));
  }
  const off50 = percentile(withoutLimits, 0.5);
  const on50 = percentile(withLimits, 0.5);
  console.log(`plan limits on a chat turn (${withLimits.length} sequential turns each way, time to first token):`);
  console.log(`  without limits (self-hosted, unlimited): p50 ${off50.toFixed(2)} ms`);
  console.log(`  with limits (billing on, KV answer counter): p50 ${on50.toFixed(2)} ms`);
  console.log(`  difference of the medians: ${(on50 - off50).toFixed(2)} ms (end to end, so machine noise included)`);
  // The check itself, alone: what the turn awaits (the INCR shares the turn's KV round trip at the edge).
  const checkTimes: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const started = performance.now();
    await countBotAnswer(runtime.services, orgRow!.id, 'business');
    checkTimes.push(performance.now() - started);
  }
  console.log(`  the limit check alone (countBotAnswer, local KV): p50 ${percentile(checkTimes, 0.5).toFixed(3)} ms, p99 ${percentile(checkTimes, 0.99).toFixed(3)} ms (goal: adds < 1 ms p50)`);

  // The same turn on the edge KV adapter: what Upstash would see (limits on: the INCR's round trip shows).
  const edgeKv = await startEdgeKv();
  try {
    const localKv = runtime.services.kv;
    runtime.services.kv = edgeKv.kv;
    try {
      await sendMessage(sessions[0], bot.id, '¿Cuál es el plazo de devoluciones 43?');
      await runtime.idle();
      const from = edgeKv.upstash.requests.length;
      sql = 0;
      // At the edge the job runner is QStash and vectors are Pinecone: their local tables are not SQL there.
      const edgeSql = (text: unknown) => !/\blocal_(jobs|vectors)\b/.test(String(text));
      (pglite as any).query = (...args: unknown[]) => (edgeSql(args[0]) && sql++, (originalQuery as any)(...args));
      (pglite as any).exec = (...args: unknown[]) => (edgeSql(args[0]) && sql++, (originalExec as any)(...args));
      await sendMessage(sessions[0], bot.id, '¿Qué dice el artículo 78 sobre garantía?');
      await runtime.idle(); // background work (webhook lookups) counts too
      (pglite as any).query = originalQuery;
      (pglite as any).exec = originalExec;
      const trips = edgeKv.upstash.requests.slice(from);
      await setLimits(false);
      console.log(`round trips per chat turn on the edge adapters: KV ${trips.length} (goal <= 3), SQL ${sql} (goal <= 4; the local job runner's and pgvector's statements left out: QStash and Pinecone at the edge)`);
      for (const trip of trips) console.log(`  ${trip.path} ${trip.commands.map((c) => `${c[0]} ${c[0] === 'EVAL' ? c[3] : (c[1] ?? '')}`.trim()).join(' + ')}`);
    } finally {
      runtime.services.kv = localKv;
    }
  } finally {
    await edgeKv.close();
  }

  // Latency at 20 concurrent sessions, two ways: visitors who read before typing again (1–3 s
  // between messages, how a chat is used), and back-to-back sends (every session always waiting,
  // which measures queueing at saturation more than the engine itself).
  const rounds = 10;
  async function latencyRun(thinkMs: () => number) {
    const ttft: number[] = [];
    await Promise.all(
      sessions.map(async (s, i) => {
        await new Promise((r) => setTimeout(r, thinkMs()));
        for (let r = 0; r < rounds; r++) {
          ttft.push(await sendMessage(s, bot.id, `Pregunta ${i}-${r} sobre envíos del lote ${(i * rounds + r) % 97}`));
          await new Promise((res) => setTimeout(res, thinkMs()));
        }
      }),
    );
    return ttft.map((t) => Math.max(0, t - modelMs));
  }
  const paced = await latencyRun(() => 1000 + Math.random() * 2000);
  const saturated = await latencyRun(() => 0);
  console.log(`server overhead to first token at ${SESSIONS} concurrent sessions (${rounds * SESSIONS} messages each, model time ${modelMs.toFixed(1)} ms subtracted):`);
  console.log(`  visitors pacing 1–3 s: p50 ${percentile(paced, 0.5).toFixed(1)} ms (target < 25), p99 ${percentile(paced, 0.99).toFixed(1)} ms (target < 100)`);
  console.log(`  back-to-back sends:    p50 ${percentile(saturated, 0.5).toFixed(1)} ms, p99 ${percentile(saturated, 0.99).toFixed(1)} ms`);

  // Sustained load.
  // The bench's database holds this one organization only.
  const [{ before }] = await runtime.services.db.select({ before: count() }).from(messages);
  let sent = 0;
  let errors = 0;
  const deadline = performance.now() + SUSTAIN_SECONDS * 1000;
  await Promise.all(
    sessions.map(async (s, i) => {
      let n = 0;
      while (performance.now() < deadline) {
        try {
          await sendMessage(s, bot.id, `Consulta ${i}-${n++} sobre facturas`);
          sent++;
        } catch (error) {
          errors++;
          if (errors < 5) console.error((error as Error).message);
        }
      }
    }),
  );
  const [{ after }] = await runtime.services.db.select({ after: count() }).from(messages);
  console.log(`sustained ${SUSTAIN_SECONDS} s at ${SESSIONS} sessions: ${(sent / SUSTAIN_SECONDS).toFixed(1)} messages/s, ${errors} errors, stored ${after - before} of ${sent * 2} expected rows (question + answer)`);
} finally {
  await close();
}
