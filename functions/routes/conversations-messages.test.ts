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

describe('conversation messages API', () => {
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
});
