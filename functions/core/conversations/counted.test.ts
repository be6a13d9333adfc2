import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, dailyMetrics, messages } from '../../../db/schema';
import { parseSse } from '../../testing/fake-openai';
import { createTestApi, type TestApi } from '../../testing/harness';
import { addDays, localToday } from '../analytics/dates';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('which conversations count', () => {
  it('a playground chat stays out of the inbox, its counts, the overview, analytics, reports and the roll-up; a widget chat is in all of them', async () => {
    const user = await api.signUp();
    const org = await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive' } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });

    const test = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/test`, { token: user.token, body: { message: 'probando el bot' } });
    const testId = parseSse(test.raw).find((e) => e.event === 'done')!.data.conversationId as string;
    const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    const chat = await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: { authorization: `Bearer ${session.body.sessionToken}` }, body: { message: 'hola' } });
    expect(chat.status, chat.text).toBe(200);
    // A second visitor who opened the widget but never wrote: not a conversation yet.
    await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    const widgetId = session.body.conversationId as string;

    const inbox = await api.call('GET', '/api/v1/conversations', { token: user.token });
    expect(inbox.status, inbox.text).toBe(200);
    expect(inbox.body.data.map((c: { id: string }) => c.id)).toEqual([widgetId]);
    const counts = await api.call('GET', '/api/v1/conversations/counts', { token: user.token });
    expect(counts.body, counts.text).toMatchObject({ open: 1 });

    const usage = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: user.token });
    expect(usage.body, usage.text).toMatchObject({ conversations: 1, openConversations: 1, messages: 2 });
    const bots = await api.call('GET', '/api/v1/chatbots', { token: user.token });
    expect(bots.body.data[0].conversationCount).toBe(1);

    const overview = await api.call('GET', '/api/v1/analytics/overview', { token: user.token });
    expect(overview.body.totals, overview.text).toMatchObject({ conversations: 1, messages: 2 });
    expect(overview.body.byChannel.map((c: { channel: string }) => c.channel)).toEqual(['web']);
    const today = localToday('UTC');
    const report = await api.call('GET', `/api/v1/reports/daily?date=${today}`, { token: user.token });
    expect(report.body.totals, report.text).toMatchObject({ conversations: 1, messages: 2 });
    const playgroundFilter = await api.call('GET', '/api/v1/analytics/overview?channels=playground', { token: user.token });
    expect(playgroundFilter.status).toBe(422);

    // Move both chats to yesterday and roll it up: only the widget chat makes a row.
    const { db } = api.runtime.services;
    const dayBack = sql`- interval '1 day'`;
    await db.update(messages).set({ createdAt: sql`${messages.createdAt} ${dayBack}` }).where(eq(messages.organizationId, org.id));
    await db.update(conversations).set({ createdAt: sql`${conversations.createdAt} ${dayBack}`, lastMessageAt: sql`${conversations.lastMessageAt} ${dayBack}` }).where(eq(conversations.organizationId, org.id));
    const yesterday = addDays(today, -1);
    await api.runtime.queue.enqueue('rollup-daily-metrics', { organizationId: org.id, day: yesterday, days: 1 });
    await api.runtime.queue.drain();
    const rows = await db.select().from(dailyMetrics).where(eq(dailyMetrics.organizationId, org.id));
    expect(rows.map((r) => `${r.day} ${r.channel} ${r.conversations}`)).toEqual([`${yesterday} web 1`]);

    // A playground row rolled up before this rule existed does not reach the numbers either.
    await db.insert(dailyMetrics).values({ organizationId: org.id, botId: bot.body.id, channel: 'playground', day: yesterday, conversations: 5, messages: 10 });
    const rolled = await api.call('GET', `/api/v1/analytics/overview?from=${yesterday}&to=${yesterday}`, { token: user.token });
    expect(rolled.body.totals, rolled.text).toMatchObject({ conversations: 1, messages: 2 });
    expect(await db.select({ id: conversations.id }).from(conversations).where(and(eq(conversations.id, testId), eq(conversations.channel, 'playground')))).toHaveLength(1);
  });
});
