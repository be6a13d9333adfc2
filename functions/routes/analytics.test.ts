import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations, dailyMetrics, messages } from '../../db/schema';
import { addDays, localToday } from '../core/analytics/dates';
import { DETAIL_COLUMNS, REPORT_METRICS } from '../core/analytics/reports';
import { parseSse } from '../testing/fake-openai';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';

/**
 * Analytics over a hand-computed fixture in America/Mexico_City (UTC-6 all year since 2022):
 * live numbers, the roll-up, timezone boundaries, reports and CSV, tenancy. Then real widget
 * traffic for today's live numbers and knowledge gaps.
 */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const TZ = 'America/Mexico_City';
const at = (day: string, time: string) => new Date(`${day}T${time}-06:00`);

async function orgInMexico() {
  const owner = await api.signUp();
  const org = await api.call('POST', '/api/v1/organizations', { token: owner.token, body: { name: 'Tienda MX', timezone: TZ } });
  expect(org.status, org.text).toBe(201);
  const bot1 = await api.call('POST', '/api/v1/chatbots', { token: owner.token, orgId: org.body.id, body: { name: 'Ventas' } });
  const bot2 = await api.call('POST', '/api/v1/chatbots', { token: owner.token, orgId: org.body.id, body: { name: 'Soporte' } });
  return { owner, orgId: org.body.id as string, bot1: bot1.body.id as string, bot2: bot2.body.id as string };
}

type MessageSeed = Partial<typeof messages.$inferInsert> & { role: (typeof messages.$inferInsert)['role']; createdAt: Date };

async function seedConversation(
  orgId: string,
  values: Omit<typeof conversations.$inferInsert, 'organizationId' | 'contactId'> & { contact: string },
  thread: MessageSeed[],
) {
  const { db } = api.runtime.services;
  const [contact] = await db
    .insert(contacts)
    .values({ organizationId: orgId, channel: values.channel, externalId: values.contact })
    .onConflictDoUpdate({ target: [contacts.organizationId, contacts.channel, contacts.externalId], set: { name: null } })
    .returning();
  const { contact: _ignored, ...conversation } = values;
  // As the chat store does: a conversation's last activity is its newest message (none: not counted yet).
  const lastMessageAt = thread.reduce<Date | null>((last, m) => (!last || m.createdAt > last ? m.createdAt : last), null);
  const [row] = await db.insert(conversations).values({ lastMessageAt, ...conversation, organizationId: orgId, contactId: contact.id }).returning();
  for (const message of thread) {
    await db.insert(messages).values({ content: 'x', ...message, organizationId: orgId, conversationId: row.id, channel: values.channel });
  }
  return row.id;
}

const source = [{ documentId: crypto.randomUUID(), chunkId: crypto.randomUUID(), score: 0.8, title: 'Envíos' }];

/**
 * D1 (five days ago): A (web, resolved by the bot, 5 stars), B (WhatsApp at 23:30 local, a
 * knowledge gap, handed to Ana, 2 stars), D (web, the model failed). D2: C at 00:10 local and E,
 * the same contact asking the same thing twice with no answer in the knowledge base.
 */
async function seedFixture() {
  const ctx = await orgInMexico();
  const d1 = addDays(localToday(TZ), -5);
  const d2 = addDays(d1, 1);
  const mini = 'openai:gpt-4o-mini';
  await seedConversation(
    ctx.orgId,
    { botId: ctx.bot1, channel: 'web', contact: 'a', status: 'resolved', createdAt: at(d1, '10:00:00'), firstResponseAt: at(d1, '10:00:02'), resolvedAt: at(d1, '10:05:00'), rating: 5 },
    [
      { role: 'user', content: '¿Cuánto cuesta el envío?', createdAt: at(d1, '10:00:00') },
      { role: 'assistant', createdAt: at(d1, '10:00:02'), model: mini, inputTokens: 1000, outputTokens: 200, latencyMs: 1500, timeToFirstTokenMs: 300, sources: source, feedback: 1 },
    ],
  );
  await seedConversation(
    ctx.orgId,
    { botId: ctx.bot1, channel: 'whatsapp', contact: 'b', status: 'open', handoff: 'human', handedOffAt: at(d1, '23:31:00'), createdAt: at(d1, '23:30:00'), firstResponseAt: at(d1, '23:30:01'), rating: 2 },
    [
      { role: 'user', content: '¿Tienen tienda en Monterrey?', createdAt: at(d1, '23:30:00') },
      { role: 'assistant', createdAt: at(d1, '23:30:01'), model: mini, inputTokens: 500, outputTokens: 100, latencyMs: 800, timeToFirstTokenMs: 200, sources: [], feedback: -1 },
      { role: 'user', content: 'Quiero hablar con una persona', createdAt: at(d1, '23:31:00') },
      { role: 'agent', content: 'Hola, soy Ana', createdAt: at(d1, '23:35:00') },
      { role: 'note', content: 'cliente VIP', createdAt: at(d1, '23:36:00') },
    ],
  );
  await seedConversation(
    ctx.orgId,
    { botId: ctx.bot1, channel: 'web', contact: 'd', status: 'closed', createdAt: at(d1, '12:00:00'), firstResponseAt: at(d1, '12:00:40'), resolvedAt: at(d1, '12:10:00') },
    [
      { role: 'user', content: 'hola', createdAt: at(d1, '12:00:00') },
      { role: 'assistant', createdAt: at(d1, '12:00:40'), model: mini, latencyMs: 40_000, error: 'model timeout', isFallback: true },
    ],
  );
  await seedConversation(
    ctx.orgId,
    { botId: ctx.bot2, channel: 'web', contact: 'c', status: 'open', createdAt: at(d2, '00:10:00'), firstResponseAt: at(d2, '00:10:01'), rating: 4 },
    [
      { role: 'user', content: 'cual es el horario', createdAt: at(d2, '00:10:00') },
      { role: 'assistant', createdAt: at(d2, '00:10:01'), latencyMs: 100, timeToFirstTokenMs: 0, isFallback: true },
    ],
  );
  await seedConversation(
    ctx.orgId,
    { botId: ctx.bot2, channel: 'web', contact: 'c', status: 'open', createdAt: at(d2, '09:00:00'), firstResponseAt: at(d2, '09:00:01') },
    [
      { role: 'user', content: '¿Cuál es el HORARIO?', createdAt: at(d2, '09:00:00') },
      { role: 'assistant', createdAt: at(d2, '09:00:01'), latencyMs: 120, timeToFirstTokenMs: 0, isFallback: true },
    ],
  );
  return { ...ctx, d1, d2 };
}

/** D1 by hand (see seedFixture). */
const EXPECTED_D1 = {
  conversations: 3,
  resolvedConversations: 2,
  botResolved: 2,
  handoffs: 1,
  botResolutionRate: 2 / 3,
  handoffRate: 1 / 3,
  messages: 8,
  userMessages: 4,
  botMessages: 3,
  agentMessages: 1,
  uniqueContacts: 3,
  failedAnswers: 1,
  knowledgeGaps: 1,
  avgFirstResponseMs: 14333, // (2000 + 1000 + 40000) / 3
  avgBotResponseMs: 14100, // (1500 + 800 + 40000) / 3
  avgHumanResponseMs: 240_000, // from the handoff at 23:31 to Ana at 23:35
  avgFirstTokenMs: 250,
  // Buckets (500,1000] (1000,2000] (30000,60000] hold one answer each; interpolated inside the
  // bucket: p50 = 1000 + 0.5 * 1000, p90 = 30000 + 0.7 * 30000.
  responseTime: { p50: 1500, p90: 51000, p95: 55500, p99: 59100 },
  ratingsCount: 2,
  avgRating: 3.5,
  satisfactionRate: 0.5,
  ratingDistribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 1 },
  thumbsUp: 1,
  thumbsDown: 1,
  inputTokens: 1500,
  outputTokens: 300,
  costUsd: 0.000405, // 1500 * 0.15 / 1M + 300 * 0.6 / 1M
};

const EXPECTED_D2 = {
  conversations: 2,
  resolvedConversations: 0,
  handoffs: 0,
  messages: 4,
  userMessages: 2,
  botMessages: 2,
  uniqueContacts: 1,
  failedAnswers: 0,
  knowledgeGaps: 2,
  avgFirstResponseMs: 1000,
  avgBotResponseMs: 110,
  avgFirstTokenMs: null,
  ratingsCount: 1,
  avgRating: 4,
  costUsd: 0,
};

async function rollup(payload: Record<string, unknown>) {
  await api.runtime.queue.enqueue('rollup-daily-metrics', payload);
  await api.runtime.queue.drain();
}

const get = (user: TestUser, orgId: string, path: string) => api.call('GET', path, { token: user.token, orgId });

describe('analytics over a hand-computed fixture', () => {
  it('computes each local day by hand, a message at 23:30 in Mexico City staying on its day', async () => {
    const { owner, orgId, bot2, d1, d2 } = await seedFixture();
    const res = await get(owner, orgId, `/api/v1/analytics/overview?from=${d1}&to=${d2}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ from: d1, to: d2, timezone: TZ, today: null });
    const [day1, day2] = res.body.series;
    expect(day1.day).toBe(d1);
    expect(day1).toMatchObject({ ...EXPECTED_D1, botResolutionRate: expect.closeTo(2 / 3, 6), handoffRate: expect.closeTo(1 / 3, 6) });
    expect(day2).toMatchObject({ day: d2, ...EXPECTED_D2 });
    expect(res.body.totals).toMatchObject({ conversations: 5, messages: 12, knowledgeGaps: 3, failedAnswers: 1, ratingsCount: 3, uniqueContacts: 4 });
    expect(res.body.byChannel.map((c: { channel: string; conversations: number }) => [c.channel, c.conversations])).toEqual([
      ['web', 4],
      ['whatsapp', 1],
    ]);
    expect(res.body.byBot.map((b: { name: string; conversations: number }) => [b.name, b.conversations])).toEqual([
      ['Ventas', 3],
      ['Soporte', 2],
    ]);
    expect(res.body.models).toEqual([{ model: 'openai:gpt-4o-mini', messages: 3, inputTokens: 1500, outputTokens: 300, costUsd: 0.000405, priced: true }]);
    expect(res.body.histogram.find((b: { upToMs: number | null }) => b.upToMs === 60000).count).toBe(1);

    // Filters: one channel, one bot.
    const whatsapp = await get(owner, orgId, `/api/v1/analytics/conversations?from=${d1}&to=${d2}&channels=whatsapp`);
    expect(whatsapp.body.totals).toMatchObject({ conversations: 1, messages: 4, handoffs: 1 });
    const soporte = await get(owner, orgId, `/api/v1/analytics/assistants?from=${d1}&to=${d2}&botIds=${bot2}`);
    expect(soporte.body.data).toHaveLength(1);
    expect(soporte.body.data[0]).toMatchObject({ name: 'Soporte', conversations: 2, knowledgeGaps: 2 });
  });

  it('the roll-up gives the same numbers as the live computation, and re-running it changes nothing', async () => {
    const { owner, orgId, d1, d2 } = await seedFixture();
    const path = `/api/v1/analytics/overview?from=${addDays(d1, -1)}&to=${addDays(d2, 1)}`;
    const live = await get(owner, orgId, path);
    expect(live.status, live.text).toBe(200);

    // Ten days: more than one job's share, so the backfill splits into two jobs.
    await rollup({ organizationId: orgId, day: addDays(d2, 1), days: 10 });
    const { db } = api.runtime.services;
    const rows = await db.select().from(dailyMetrics).where(eq(dailyMetrics.organizationId, orgId));
    // D1: Ventas on web and on WhatsApp; D2: Soporte on web.
    expect(rows.map((r) => `${r.day} ${r.channel} ${r.conversations}`).sort()).toEqual([`${d1} web 2`, `${d1} whatsapp 1`, `${d2} web 2`]);
    const rolled = await get(owner, orgId, path);
    expect(rolled.body).toEqual(live.body);

    // A re-run for one past day replaces it: same rows, same numbers.
    await rollup({ organizationId: orgId, day: d1, days: 1 });
    const again = await db.select().from(dailyMetrics).where(eq(dailyMetrics.organizationId, orgId));
    expect(again).toHaveLength(3);
    expect((await get(owner, orgId, path)).body).toEqual(live.body);

    // Data deleted after a roll-up disappears from the day when it is rolled up again.
    await db.delete(conversations).where(and(eq(conversations.organizationId, orgId), eq(conversations.channel, 'whatsapp')));
    await rollup({ organizationId: orgId, day: d1, days: 1 });
    const afterDelete = await db.select().from(dailyMetrics).where(and(eq(dailyMetrics.organizationId, orgId), eq(dailyMetrics.day, d1)));
    expect(afterDelete.map((r) => r.channel)).toEqual(['web']);
  });

  it('the daily trigger fans out per organization and rolls up complete days only', async () => {
    const { orgId } = await seedFixture();
    const ctx = await orgInMexico();
    const yesterday = addDays(localToday(TZ), -1);
    await seedConversation(ctx.orgId, { botId: ctx.bot1, channel: 'web', contact: 'y', createdAt: at(yesterday, '15:00:00') }, [
      { role: 'user', content: 'hola', createdAt: at(yesterday, '15:00:00') },
    ]);
    await seedConversation(ctx.orgId, { botId: ctx.bot1, channel: 'web', contact: 'z', createdAt: new Date() }, [{ role: 'user', content: 'hoy', createdAt: new Date() }]);
    // The cron passes its own (UTC) date; each organization clamps it to its own yesterday.
    await rollup({ day: new Date().toISOString().slice(0, 10) });
    const { db } = api.runtime.services;
    const rows = await db.select().from(dailyMetrics).where(eq(dailyMetrics.organizationId, ctx.orgId));
    expect(rows.map((r) => [r.day, r.conversations])).toEqual([[yesterday, 1]]);
    // The fixture's days are older than the look-back window: untouched.
    expect(await db.select().from(dailyMetrics).where(eq(dailyMetrics.organizationId, orgId))).toEqual([]);
  });

  it('focused endpoints agree with the overview', async () => {
    const { owner, orgId, d1 } = await seedFixture();
    const q = `?from=${d1}&to=${d1}`;
    const satisfaction = await get(owner, orgId, `/api/v1/analytics/user-satisfaction${q}`);
    expect(satisfaction.body).toMatchObject({ ratingsCount: 2, avgRating: 3.5, satisfactionRate: 0.5, thumbsUp: 1, thumbsDown: 1, distribution: EXPECTED_D1.ratingDistribution });
    const times = await get(owner, orgId, `/api/v1/analytics/response-time${q}`);
    expect(times.body).toMatchObject({
      firstResponse: { avgMs: 14333, count: 3 },
      bot: { avgMs: 14100, count: 3, p50: 1500 },
      human: { avgMs: 240_000, count: 1 },
      firstToken: { avgMs: 250, count: 2 },
    });
    const performance = await get(owner, orgId, `/api/v1/analytics/performance${q}`);
    expect(performance.body.totals).toMatchObject({ failedAnswers: 1, knowledgeGaps: 1, costUsd: 0.000405 });
    const conversationsView = await get(owner, orgId, `/api/v1/analytics/conversations${q}`);
    expect(conversationsView.body.totals).toMatchObject({ conversations: 3, botResolved: 2, handoffs: 1 });
  });

  it('groups knowledge gaps by their content words', async () => {
    const { owner, orgId, d1, d2 } = await seedFixture();
    const res = await get(owner, orgId, `/api/v1/analytics/knowledge-gaps?from=${d1}&to=${d2}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.map((g: { key: string; count: number }) => [g.key, g.count])).toEqual([
      ['horario', 2],
      ['monterrey tienda tienen', 1],
    ]);
    expect(res.body.data[0].examples).toHaveLength(1);
    expect(res.body.data[0].conversationIds).toHaveLength(2);
  });
});

describe('reports', () => {
  it('daily, weekly and custom reports match the fixture; CSV has the right columns', async () => {
    const { owner, orgId, d1, d2 } = await seedFixture();
    const daily = await get(owner, orgId, `/api/v1/reports/daily?date=${d1}`);
    expect(daily.status, daily.text).toBe(200);
    expect(daily.body).toMatchObject({ period: 'daily', from: d1, to: d1, complete: true, totals: { conversations: 3, messages: 8, avgRating: 3.5 } });
    const weekly = await get(owner, orgId, `/api/v1/reports/weekly?date=${d1}`);
    expect(weekly.body.byDay).toHaveLength(7);
    expect(new Date(`${weekly.body.from}T00:00:00Z`).getUTCDay()).toBe(1);

    const csv = await get(owner, orgId, `/api/v1/reports/daily?date=${d1}&format=csv`);
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`versaai-daily-${d1}.csv`);
    const lines = csv.raw.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0].split(',')).toEqual(DETAIL_COLUMNS);
    expect(lines.slice(1).map((l) => l.split(',').slice(2, 5).join(' '))).toEqual(['Ventas web 2', 'Ventas whatsapp 1']);

    const custom = await api.call('POST', '/api/v1/reports/custom', {
      token: owner.token,
      orgId,
      body: { from: d1, to: d2, groupBy: 'day', metrics: ['conversations', 'knowledgeGaps', 'avgRating', 'costUsd'] },
    });
    expect(custom.status, custom.text).toBe(200);
    expect(custom.body.rows).toEqual([
      { key: d1, label: d1, values: { conversations: 3, knowledgeGaps: 1, avgRating: 3.5, costUsd: 0.000405 } },
      { key: d2, label: d2, values: { conversations: 2, knowledgeGaps: 2, avgRating: 4, costUsd: 0 } },
    ]);
    expect(custom.body.totals).toEqual({ conversations: 5, knowledgeGaps: 3, avgRating: 3.67, costUsd: 0.000405 });

    const byBotCsv = await api.call('POST', '/api/v1/reports/custom', {
      token: owner.token,
      orgId,
      body: { from: d1, to: d2, groupBy: 'bot', metrics: ['conversations', 'handoffs'], format: 'csv' },
    });
    expect(byBotCsv.raw.replace(/^\uFEFF/, '').split('\r\n').slice(0, 3)).toEqual([
      'botId,botName,conversations,handoffs',
      expect.stringMatching(/^[0-9a-f-]{36},Soporte,2,0$/),
      expect.stringMatching(/^[0-9a-f-]{36},Ventas,3,1$/),
    ]);
    const all = await api.call('POST', '/api/v1/reports/custom', { token: owner.token, orgId, body: { from: d1, to: d2, groupBy: 'total', format: 'csv' } });
    expect(all.raw.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(['total', ...REPORT_METRICS].join(','));
  });

  it('rejects bad input with 422, never a 500', async () => {
    const { owner, orgId } = await seedFixture();
    for (const path of [
      '/api/v1/analytics/overview?from=2026-03-10&to=2026-03-01',
      '/api/v1/analytics/overview?from=2026-02-30',
      '/api/v1/analytics/overview?from=2024-01-01&to=2026-01-01',
      '/api/v1/analytics/overview?channels=web,fax',
      '/api/v1/analytics/overview?botIds=not-a-uuid',
      '/api/v1/reports/monthly?date=2026-13-01',
    ]) {
      const res = await get(owner, orgId, path);
      expect(res.status, res.text).toBe(422);
    }
    const custom = await api.call('POST', '/api/v1/reports/custom', { token: owner.token, orgId, body: { from: '2026-03-01', to: '2026-03-02', metrics: ['nope'] } });
    expect(custom.status, custom.text).toBe(422);
  });
});

describe('tenancy and roles', () => {
  it("another organization's analytics are a 404 and its ids filter nothing in", async () => {
    const victim = await seedFixture();
    const attacker = await api.signUp();
    const attackerOrg = await api.createOrg(attacker, 'Intruder');
    for (const path of ['/api/v1/analytics/overview', '/api/v1/analytics/knowledge-gaps', '/api/v1/reports/daily']) {
      const res = await get(attacker, victim.orgId, path);
      expect(res.status, res.text).toBe(404);
    }
    const probe = await api.call('POST', '/api/v1/reports/custom', {
      token: attacker.token,
      orgId: attackerOrg.id,
      body: { from: victim.d1, to: victim.d2, botIds: [victim.bot1, victim.bot2], groupBy: 'total' },
    });
    expect(probe.status, probe.text).toBe(200);
    expect(probe.body.totals).toMatchObject({ conversations: 0, messages: 0 });
    const own = await get(attacker, attackerOrg.id, `/api/v1/analytics/assistants?from=${victim.d1}&to=${victim.d2}&botIds=${victim.bot1}`);
    expect(own.body.data).toEqual([]);
  });

  it('viewers read analytics and reports', async () => {
    const { owner, orgId, d1 } = await seedFixture();
    const viewer = await api.addMember(owner, orgId, 'viewer');
    expect((await get(viewer, orgId, `/api/v1/analytics/overview?from=${d1}&to=${d1}`)).body.totals.conversations).toBe(3);
    const custom = await api.call('POST', '/api/v1/reports/custom', { token: viewer.token, orgId, body: { from: d1, to: d1 } });
    expect(custom.status, custom.text).toBe(200);
  });
});

describe('live numbers from real widget traffic', () => {
  it("today's chats show up at once, with their knowledge gap", async () => {
    const user = await api.signUp();
    const org = await api.createOrg(user);
    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
    await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
      token: user.token,
      body: { type: 'text', name: 'Horario', text: 'La tienda abre de lunes a sábado de 10:00 a 20:00.' },
    });
    await api.runtime.queue.drain();
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', knowledgeBaseIds: [kb.body.id] } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
    const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    const auth = { authorization: `Bearer ${session.body.sessionToken}` };
    const answered = parseSse((await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: auth, body: { message: '¿A qué hora abre la tienda?' } })).raw);
    const first = await get(user, org.id, '/api/v1/analytics/overview');
    expect(first.body.today).toMatchObject({ conversations: 1, messages: 2, knowledgeGaps: 0 });
    // Today's numbers are cached between requests, but a new message shows at once.
    parseSse((await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: auth, body: { message: '¿Aceptan criptomonedas?' } })).raw);
    const answer = answered.find((e) => e.event === 'done')!.data.message;
    await api.call('POST', `/api/v1/widget/${bot.body.id}/feedback`, { headers: auth, body: { messageId: answer.id, value: 1 } });
    await api.call('POST', `/api/v1/widget/${bot.body.id}/rating`, { headers: auth, body: { rating: 4 } });

    const overview = await get(user, org.id, '/api/v1/analytics/overview');
    expect(overview.status, overview.text).toBe(200);
    expect(overview.body.today).toMatchObject({ conversations: 1, messages: 4, userMessages: 2, botMessages: 2, uniqueContacts: 1, knowledgeGaps: 1, thumbsUp: 1, avgRating: 4 });
    expect(overview.body.totals).toMatchObject(overview.body.today);
    expect(overview.body.today.avgBotResponseMs).toBeGreaterThanOrEqual(0);
    expect(overview.body.models[0]).toMatchObject({ model: 'builtin:extractive', costUsd: 0, priced: true });
    const gaps = await get(user, org.id, '/api/v1/analytics/knowledge-gaps');
    expect(gaps.body.data.map((g: { question: string }) => g.question)).toEqual(['¿Aceptan criptomonedas?']);
  });
});
