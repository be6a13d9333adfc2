import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam, widgetVisitor } from '../testing/inbox';
import { openSse } from '../testing/sse-client';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi({ env: { EVENTS_POLL_MS: '50', EVENTS_STREAM_SECONDS: '20' } });
});
afterAll(() => api.close());

const team = (settings?: Record<string, unknown>) => createTeam(api, settings);
const visitor = (botId: string, preChat?: Record<string, string>) => widgetVisitor(api, botId, preChat);

describe('inbox API', () => {
  it('lists customer conversations by latest activity and filters them on the server', async () => {
    const { owner, botId } = await team();
    const empty = await visitor(botId);
    const ana = await visitor(botId, { name: 'Ana Pérez', email: 'ana@example.com' });
    await ana.say('¿Cuánto tardan los envíos?');
    const luis = await visitor(botId, { name: 'Luis' });
    await luis.say('Hola, tengo una duda con mi factura');

    const list = await api.call('GET', '/api/v1/conversations', { token: owner.token });
    expect(list.status, list.text).toBe(200);
    // The widget opened without writing is not a conversation in the inbox.
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([luis.conversationId, ana.conversationId]);
    expect(list.body.data.map((c: { id: string }) => c.id)).not.toContain(empty.conversationId);
    const first = list.body.data[1];
    expect(first).toMatchObject({ contact: { name: 'Ana Pérez', email: 'ana@example.com' }, bot: { id: botId, name: 'Sol' }, status: 'open', handoff: 'bot', unreadCount: 1, messageCount: 2 });

    const search = await api.call('GET', '/api/v1/conversations?q=factura', { token: owner.token });
    expect(search.body.data.map((c: { id: string }) => c.id)).toEqual([luis.conversationId]);
    const byName = await api.call('GET', '/api/v1/conversations?q=p%C3%A9rez', { token: owner.token });
    expect(byName.body.data.map((c: { id: string }) => c.id)).toEqual([ana.conversationId]);

    const paged = await api.call('GET', '/api/v1/conversations?limit=1', { token: owner.token });
    expect(paged.body.data).toHaveLength(1);
    const next = await api.call('GET', `/api/v1/conversations?limit=1&cursor=${paged.body.nextCursor}`, { token: owner.token });
    expect(next.body.data[0].id).toBe(ana.conversationId);
    expect(next.body.nextCursor).toBeNull();

    await api.call('PUT', `/api/v1/conversations/${ana.conversationId}`, { token: owner.token, body: { priority: 'urgent', tags: ['VIP', ' envios '] } });
    await api.call('POST', `/api/v1/conversations/${luis.conversationId}/assign`, { token: owner.token, body: { assigneeId: owner.id } });
    const filtered = async (query: string) => (await api.call('GET', `/api/v1/conversations?${query}`, { token: owner.token })).body.data.map((c: { id: string }) => c.id);
    expect(await filtered('priority=urgent')).toEqual([ana.conversationId]);
    expect(await filtered('tag=vip')).toEqual([ana.conversationId]);
    expect(await filtered('assignee=me')).toEqual([luis.conversationId]);
    expect(await filtered('assignee=unassigned')).toEqual([ana.conversationId]);
    expect(await filtered(`bot_id=${botId}&channel=web&status=open`)).toHaveLength(2);
    expect(await filtered('status=resolved')).toEqual([]);

    await api.call('POST', `/api/v1/conversations/${ana.conversationId}/read`, { token: owner.token });
    expect(await filtered('unread=true')).toEqual([luis.conversationId]);
    const counts = await api.call('GET', '/api/v1/conversations/counts', { token: owner.token });
    expect(counts.body).toMatchObject({ open: 2, unread: 1, mine: 1, unassigned: 1, handoffRequested: 0 });

    const bad = await api.call('GET', '/api/v1/conversations?status=lost&assignee=someone', { token: owner.token });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('the bot hands off when the visitor asks for a person, and agents are notified', async () => {
    const { owner, botId } = await team();
    const dashboard = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${owner.token}` });
    await dashboard.waitFor((e) => e.event === 'ready');
    const v = await visitor(botId);
    const events = await v.say('Quiero hablar con una persona, por favor');
    expect(events.find((e) => e.event === 'done')?.data.message.content).toMatch(/persona del equipo/);
    const handoff = await dashboard.waitFor((e) => e.event === 'conversation.handoff');
    expect(handoff.data.data).toMatchObject({ conversationId: v.conversationId, reason: 'visitor_request' });
    const counts = await api.call('GET', '/api/v1/conversations/counts', { token: owner.token });
    expect(counts.body.handoffRequested).toBe(1);
    const waiting = await api.call('GET', '/api/v1/conversations?handoff=requested', { token: owner.token });
    expect(waiting.body.data.map((c: { id: string }) => c.id)).toEqual([v.conversationId]);
    expect(waiting.body.data[0].handedOffAt).toBeTruthy();
    dashboard.close();
  });

  it('hands off on low confidence when the bot is set to', async () => {
    const { owner, botId } = await team({ handoffConfidence: 0.9 });
    const v = await visitor(botId);
    await v.say('¿Vendéis bicicletas eléctricas?');
    const list = await api.call('GET', '/api/v1/conversations?handoff=requested', { token: owner.token });
    expect(list.body.data[0]).toMatchObject({ id: v.conversationId, handoffReason: 'low_confidence' });
  });

  it('starts a conversation through the API and the bot answers it', async () => {
    const { owner, botId } = await team();
    const res = await api.call('POST', '/api/v1/conversations', {
      token: owner.token,
      body: { botId, contact: { externalId: 'crm-42', name: 'Iker' }, message: '¿Cuánto tardan los envíos?' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ channel: 'api', contact: { name: 'Iker' } });
    expect(res.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(res.body.messages[1].content).toContain('2 a 4 días');
  });

  it('another tenant gets 404 on every inbox URL; an admin deletes the conversation', async () => {
    const { owner, botId } = await team();
    const v = await visitor(botId, { name: 'Eva' });
    await v.say('=cmd|calc, "hola"');

    const other = await api.signUp();
    await api.createOrg(other);
    for (const [method, path, body] of [
      ['GET', `/api/v1/conversations/${v.conversationId}`],
      ['GET', `/api/v1/conversations/${v.conversationId}/messages`],
      ['GET', `/api/v1/conversations/${v.conversationId}/export?format=csv`],
      ['PUT', `/api/v1/conversations/${v.conversationId}/status`, { status: 'resolved' }],
      ['POST', `/api/v1/conversations/${v.conversationId}/messages`, { content: 'hola' }],
      ['POST', `/api/v1/conversations/${v.conversationId}/takeover`],
      ['POST', `/api/v1/conversations/${v.conversationId}/read`],
      ['DELETE', `/api/v1/conversations/${v.conversationId}`],
    ] as const) {
      const res = await api.call(method, path, { token: other.token, body });
      expect(res.status, res.text).toBe(404);
    }
    expect((await api.call('GET', '/api/v1/conversations', { token: other.token })).body.data).toEqual([]);
    const deleted = await api.call('DELETE', `/api/v1/conversations/${v.conversationId}`, { token: owner.token });
    expect(deleted.status).toBe(204);
    expect((await api.call('GET', `/api/v1/conversations/${v.conversationId}`, { token: owner.token })).status).toBe(404);
  });
});
