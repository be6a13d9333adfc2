import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam, widgetVisitor } from '../testing/inbox';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const team = (settings?: Record<string, unknown>) => createTeam(api, settings);
const visitor = (botId: string, preChat?: Record<string, string>) => widgetVisitor(api, botId, preChat);

describe('conversation actions', () => {
  it('assigning a non-member is a 422', async () => {
    const { owner, botId } = await team();
    const v = await visitor(botId, { name: 'Eva' });
    await v.say('=cmd|calc, "hola"');

    const stranger = await api.signUp();
    const assign = await api.call('POST', `/api/v1/conversations/${v.conversationId}/assign`, { token: owner.token, body: { assigneeId: stranger.id } });
    expect(assign.status).toBe(422);
  });

  it('changes priority and tags, takes over and hands back, and marks the conversation read', async () => {
    const { owner, botId } = await team();
    const v = await visitor(botId, { name: 'Leo' });
    await v.say('¿Cuánto tardan los envíos?');
    const at = (action: string) => `/api/v1/conversations/${v.conversationId}/${action}`;

    const priority = await api.call('PUT', at('priority'), { token: owner.token, body: { priority: 'urgent' } });
    expect(priority.body.priority).toBe('urgent');
    const tagged = await api.call('PUT', at('tags'), { token: owner.token, body: { tags: ['envíos', 'vip'] } });
    expect(tagged.body.tags).toEqual(['envíos', 'vip']);
    const taken = await api.call('POST', at('takeover'), { token: owner.token });
    expect(taken.body).toMatchObject({ handoff: 'human', assigneeId: owner.id });
    const back = await api.call('POST', at('handback'), { token: owner.token });
    expect(back.body.handoff).toBe('bot');

    const before = await api.call('GET', `/api/v1/conversations/${v.conversationId}`, { token: owner.token });
    expect(before.body.unreadCount).toBeGreaterThan(0);
    expect((await api.call('POST', at('read'), { token: owner.token })).status).toBe(204);
    const after = await api.call('GET', `/api/v1/conversations/${v.conversationId}`, { token: owner.token });
    expect(after.body).toMatchObject({ unreadCount: 0, priority: 'urgent', tags: ['envíos', 'vip'] });
  });
});
