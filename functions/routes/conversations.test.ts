import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse } from '../testing/fake-openai';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { openSse } from '../testing/sse-client';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi({ env: { EVENTS_POLL_MS: '50', EVENTS_STREAM_SECONDS: '20' } });
});
afterAll(() => api.close());

interface Team {
  owner: TestUser;
  orgId: string;
  botId: string;
}

async function team(settings: Record<string, unknown> = {}): Promise<Team> {
  const owner = await api.signUp({ name: 'Olga Owner' });
  const org = await api.createOrg(owner);
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, body: { name: 'Ayuda' } });
  await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: owner.token,
    body: { type: 'text', name: 'Envíos', text: 'Los envíos tardan de 2 a 4 días laborables a toda la península.' },
  });
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', {
    token: owner.token,
    body: { name: 'Sol', model: 'builtin:extractive', knowledgeBaseIds: [kb.body.id], ...settings },
  });
  expect(bot.status, bot.text).toBe(201);
  const deployed = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token });
  expect(deployed.status, deployed.text).toBe(200);
  return { owner, orgId: org.id, botId: bot.body.id };
}

async function visitor(botId: string, preChat: Record<string, string> = {}) {
  const res = await api.call('POST', `/api/v1/widget/${botId}/session`, { body: Object.keys(preChat).length ? { preChat } : {} });
  expect(res.status, res.text).toBe(200);
  const token = res.body.sessionToken as string;
  return {
    token,
    conversationId: res.body.conversationId as string,
    async say(message: string) {
      const chat = await api.call('POST', `/api/v1/widget/${botId}/chat`, { headers: { authorization: `Bearer ${token}` }, body: { message } });
      expect(chat.status, chat.text).toBe(200);
      return parseSse(chat.raw);
    },
  };
}

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

  it('an agent takes over, replies live to the widget, adds a private note, resolves, and the bot answers again', async () => {
    const { owner, orgId, botId } = await team();
    const agent = await api.addMember(owner, orgId, 'agent');
    const v = await visitor(botId, { name: 'Marta' });
    await v.say('¿Cuánto tardan los envíos?');

    const dashboard = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${agent.token}` });
    const widget = await openSse(`${api.baseUrl}/api/v1/widget/${botId}/events`, { authorization: `Bearer ${v.token}` });
    expect(dashboard.status).toBe(200);
    expect(widget.status).toBe(200);
    await dashboard.waitFor((e) => e.event === 'ready');
    await widget.waitFor((e) => e.event === 'ready');

    // The visitor writes: the inbox hears of it live.
    await v.say('Y si no estoy en casa, ¿qué pasa?');
    const live = await dashboard.waitFor((e) => e.event === 'message.created' && e.data.data.message.content.includes('no estoy en casa'));
    expect(live.data.data.conversationId).toBe(v.conversationId);

    const taken = await api.call('POST', `/api/v1/conversations/${v.conversationId}/takeover`, { token: agent.token });
    expect(taken.status, taken.text).toBe(200);
    expect(taken.body).toMatchObject({ handoff: 'human', assigneeId: agent.id, assignee: { id: agent.id } });
    await dashboard.waitFor((e) => e.event === 'conversation.updated' && e.data.data.changes.includes('handoff'));

    // While a person has it the bot stays silent.
    const silent = await v.say('¿Hola?');
    expect(silent.filter((e) => e.event === 'token')).toHaveLength(0);
    expect(silent.find((e) => e.event === 'done')?.data.message).toBeNull();

    const reply = await api.call('POST', `/api/v1/conversations/${v.conversationId}/messages`, { token: agent.token, body: { content: 'Hola Marta, soy Pablo. Te lo dejamos en el punto de recogida.' } });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toMatchObject({ role: 'agent', author: { id: agent.id, name: agent.name } });
    const joined = await widget.waitFor((e) => e.event === 'message' && e.data.role === 'system');
    expect(joined.data.content).toBe(`${agent.name.split(' ')[0]} se ha unido a la conversación.`);
    const pushed = await widget.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(pushed.data).toMatchObject({ id: reply.body.id, role: 'agent', content: 'Hola Marta, soy Pablo. Te lo dejamos en el punto de recogida.' });
    expect(pushed.data.authorUserId).toBeUndefined();

    const note = await api.call('POST', `/api/v1/conversations/${v.conversationId}/messages`, { token: agent.token, body: { content: 'Cliente habitual, ofrecer envío gratis', private: true } });
    expect(note.status, note.text).toBe(201);
    expect(note.body.role).toBe('note');
    await dashboard.waitFor((e) => e.event === 'message.created' && e.data.data.message.role === 'note');
    // The visitor's history never shows private notes.
    const history = await api.call('GET', `/api/v1/widget/${botId}/messages`, { headers: { authorization: `Bearer ${v.token}` } });
    expect(history.text).not.toContain('envío gratis');
    expect(history.body.data.map((m: { role: string }) => m.role)).toContain('agent');

    const resolved = await api.call('PUT', `/api/v1/conversations/${v.conversationId}/status`, { token: agent.token, body: { status: 'resolved' } });
    expect(resolved.body).toMatchObject({ status: 'resolved', handoff: 'bot' });
    expect(resolved.body.resolvedAt).toBeTruthy();
    const status = await widget.waitFor((e) => e.event === 'status' && e.data.status === 'resolved');
    expect(status.data.handoff).toBe('bot');

    // The visitor writes again: the conversation reopens and the bot answers.
    const again = await v.say('¿Cuánto tardan los envíos?');
    expect(again.find((e) => e.event === 'done')?.data.message.content).toContain('2 a 4 días');
    const reopened = await api.call('GET', `/api/v1/conversations/${v.conversationId}`, { token: agent.token });
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'system', 'user', 'agent', 'note', 'user', 'assistant']);

    dashboard.close();
    widget.close();
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

  it('resumes the event stream from Last-Event-ID', async () => {
    const { owner, botId } = await team();
    const first = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${owner.token}` });
    const ready = await first.waitFor((e) => e.event === 'ready');
    first.close();
    // Events while disconnected…
    const v = await visitor(botId);
    await v.say('Primera pregunta');
    await v.say('Segunda pregunta');
    // …are all delivered after reconnecting with the last id seen.
    const resumed = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${owner.token}`, 'last-event-id': ready.id! });
    await resumed.waitFor((e) => e.event === 'message.created' && e.data.data.message.content === 'Segunda pregunta');
    const types = resumed.events.filter((e) => e.id && e.event !== 'ready').map((e) => e.event);
    expect(types.slice(0, 3)).toEqual(['conversation.created', 'message.created', 'message.created']);
    const ids = resumed.events.filter((e) => e.event !== 'ready').map((e) => e.id!);
    expect([...ids].sort()).toEqual(ids);
    resumed.close();
  });

  it('canned responses: CRUD, unique shortcuts, search', async () => {
    const { owner, orgId } = await team();
    const created = await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: '/Horario', content: 'x' } });
    expect(created.status).toBe(422);
    const ok = await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: 'Horario', content: 'Abrimos de 9:00 a 18:00.' } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.shortcut).toBe('horario');
    const dup = await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: 'horario', content: 'otra' } });
    expect(dup.status).toBe(409);
    await api.call('POST', '/api/v1/canned-responses', { token: owner.token, body: { shortcut: 'envio', content: 'Los envíos tardan 2-4 días.' } });
    const found = await api.call('GET', '/api/v1/canned-responses?q=env', { token: owner.token });
    expect(found.body.data.map((r: { shortcut: string }) => r.shortcut)).toEqual(['envio']);
    const updated = await api.call('PUT', `/api/v1/canned-responses/${ok.body.id}`, { token: owner.token, body: { shortcut: 'horario', content: 'Abrimos de 10:00 a 19:00.' } });
    expect(updated.body.content).toBe('Abrimos de 10:00 a 19:00.');
    const viewer = await api.addMember(owner, orgId, 'viewer');
    expect((await api.call('DELETE', `/api/v1/canned-responses/${ok.body.id}`, { token: viewer.token })).status).toBe(403);
    expect((await api.call('DELETE', `/api/v1/canned-responses/${ok.body.id}`, { token: owner.token })).status).toBe(204);
    const other = await api.signUp();
    await api.createOrg(other);
    expect((await api.call('PUT', `/api/v1/canned-responses/${found.body.data[0].id}`, { token: other.token, body: { shortcut: 'x', content: 'y' } })).status).toBe(404);
  });

  it('exports a conversation as JSON, CSV and text; assigning a non-member is a 422; another tenant gets 404', async () => {
    const { owner, botId } = await team();
    const v = await visitor(botId, { name: 'Eva' });
    await v.say('=cmd|calc, "hola"');
    const csv = await api.call('GET', `/api/v1/conversations/${v.conversationId}/export?format=csv`, { token: owner.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain(`conversation-${v.conversationId}.csv`);
    const lines = csv.raw.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('created_at,role,author,content,content_type,delivery_status,model,sources');
    expect(lines[1]).toContain(`user,Eva,"'=cmd|calc, ""hola""",text`);
    const txt = await api.call('GET', `/api/v1/conversations/${v.conversationId}/export?format=txt`, { token: owner.token });
    expect(txt.raw).toContain('Eva: =cmd|calc, "hola"');
    const json = await api.call('GET', `/api/v1/conversations/${v.conversationId}/export`, { token: owner.token });
    expect(json.body.messages).toHaveLength(2);

    const stranger = await api.signUp();
    const assign = await api.call('POST', `/api/v1/conversations/${v.conversationId}/assign`, { token: owner.token, body: { assigneeId: stranger.id } });
    expect(assign.status).toBe(422);

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
});
