import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { contacts, conversations, dailyMetrics, messages } from '../../db/schema';
import { addDays, localToday } from '../core/analytics/dates';
import type { TestApi, TestUser } from './harness';

/**
 * The analytics tests' hand-computed fixture in America/Mexico_City (UTC-6 all year since 2022):
 * an organization with two bots, conversations seeded on known local days, and the numbers each
 * day must add up to. `api` is read when a helper runs (the harness starts in beforeAll).
 */
export function analyticsFixture(api: () => TestApi) {
  const TZ = 'America/Mexico_City';
  const at = (day: string, time: string) => new Date(`${day}T${time}-06:00`);

  async function orgInMexico() {
    const owner = await api().signUp();
    const org = await api().call('POST', '/api/v1/organizations', { token: owner.token, body: { name: 'Tienda MX', timezone: TZ } });
    expect(org.status, org.text).toBe(201);
    const bot1 = await api().call('POST', '/api/v1/chatbots', { token: owner.token, orgId: org.body.id, body: { name: 'Ventas' } });
    const bot2 = await api().call('POST', '/api/v1/chatbots', { token: owner.token, orgId: org.body.id, body: { name: 'Soporte' } });
    return { owner, orgId: org.body.id as string, bot1: bot1.body.id as string, bot2: bot2.body.id as string };
  }

  type MessageSeed = Partial<typeof messages.$inferInsert> & { role: (typeof messages.$inferInsert)['role']; createdAt: Date };

  async function seedConversation(
    orgId: string,
    values: Omit<typeof conversations.$inferInsert, 'organizationId' | 'contactId'> & { contact: string },
    thread: MessageSeed[],
  ) {
    const { db } = api().runtime.services;
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
    await api().runtime.queue.enqueue('rollup-daily-metrics', payload);
    await api().runtime.queue.drain();
  }

  const get = (user: TestUser, orgId: string, path: string) => api().call('GET', path, { token: user.token, orgId });

  return { TZ, at, orgInMexico, seedConversation, seedFixture, EXPECTED_D1, EXPECTED_D2, rollup, get };
}
