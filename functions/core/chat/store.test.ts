/**
 * The visitor's turn statement: the message stored, and what answering it needs read in the same
 * statement through `chat_turn_context` (a database function): the earlier history (never the
 * message just stored), the latest bot or agent reply, and for a flow the position and contact name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowSessions } from '../../../db/schema';
import { createTestApi, type TestApi } from '../../testing/harness';
import { storeReply, storeUserTurn } from './store';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

async function widgetConversation() {
  const user = await api.signUp();
  await api.createOrg(user);
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive' } });
  expect(bot.status, bot.text).toBe(201);
  await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
  const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
  const organizationId = (await api.call('GET', '/api/v1/organizations', { token: user.token })).body.data[0].id as string;
  // A flow of the bot (not published: the position below is written by hand).
  const flow = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/flows`, { token: user.token, body: { name: 'Flow', template: 'lead_capture' } });
  expect(flow.status, flow.text).toBe(201);
  return { organizationId, conversationId: session.body.conversationId as string, flowId: flow.body.id as string };
}

describe('storeUserTurn', () => {
  it('reads the earlier history, the last reply and, when asked, the flow position with the stored message', async () => {
    const { organizationId, conversationId, flowId } = await widgetConversation();
    const db = api.runtime.services.db;
    const say = (content: string, options?: { withFlowSession?: boolean }) =>
      storeUserTurn(db, { organizationId, conversationId, role: 'user', content, channel: 'web' }, 2, options);

    const first = await say('hola');
    expect(first).toMatchObject({ handoff: 'bot', messageCount: 1, history: [], lastReply: null });
    expect(first).not.toHaveProperty('flowSession');
    await storeReply(db, { organizationId, conversationId, replyToId: first!.stored.id, role: 'assistant', content: '¿En qué te ayudo?', channel: 'web', metadata: { language: 'es' } });

    const second = await say('precios', { withFlowSession: true });
    expect(second!.stored.content).toBe('precios');
    expect(second!.history).toEqual([
      { role: 'user', content: 'hola' },
      { role: 'assistant', content: '¿En qué te ayudo?' },
    ]);
    expect(second!.lastReply).toEqual({ role: 'assistant', metadata: { language: 'es' } });
    expect(second!.flowSession).toEqual({ state: null, contactName: null });

    const state = { flowId, version: 1, status: 'waiting', variables: { name: 'Ana' } };
    await db.insert(flowSessions).values({ conversationId, organizationId, flowId, version: 1, status: 'waiting', state });
    const third = await say('Ana', { withFlowSession: true });
    // The memory size (2) bounds the history, newest kept, oldest first.
    expect(third!.history).toEqual([
      { role: 'assistant', content: '¿En qué te ayudo?' },
      { role: 'user', content: 'precios' },
    ]);
    expect(third!.messageCount).toBe(4);
    expect(third!.flowSession!.state).toEqual(state);
  });
});
