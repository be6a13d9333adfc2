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

describe('conversation export', () => {
  it('exports a conversation as JSON, CSV and text', async () => {
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
  });
});
