import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, dailyMetrics } from '../../db/schema';
import { addDays, localToday } from '../core/analytics/dates';
import { parseSse } from '../testing/fake-openai';
import { analyticsFixture } from '../testing/analytics-fixture';
import { createTestApi, type TestApi } from '../testing/harness';

/**
 * Analytics over a hand-computed fixture in America/Mexico_City (UTC-6 all year since 2022):
 * live numbers, the roll-up, timezone boundaries, tenancy (reports are in reports.test.ts). Then real widget
 * traffic for today's live numbers and knowledge gaps.
 */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const { TZ, at, orgInMexico, seedConversation, seedFixture, EXPECTED_D1, EXPECTED_D2, rollup, get } = analyticsFixture(() => api);

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
