/**
 * The visitor's turn statement: the message stored, and what answering it needs read in the same
 * statement: the earlier history (never the message just stored) and the latest bot or agent reply
 * through `chat_turn_context` (a database function) or, for a bot with a flow, the flow's position
 * and the contact's name, with the history only when no flow will answer.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowSessions } from '../../../db/schema';
import { createTestApi, type TestApi } from '../../testing/harness';
import { readTurnHistory, storeReply, storeUserTurn } from './store';

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
  it('reads the earlier history and the last reply with the stored message; for a flow, its position, and the history only when no flow will answer', async () => {
    const { organizationId, conversationId, flowId } = await widgetConversation();
    const db = api.runtime.services.db;
    const say = (content: string, options?: { withFlowSession?: boolean }) =>
      storeUserTurn(db, { organizationId, conversationId, role: 'user', content, channel: 'web' }, 2, options);

    const first = await say('hola');
    expect(first).toMatchObject({ handoff: 'bot', messageCount: 1, context: { history: [], lastReply: null } });
    expect(first).not.toHaveProperty('flowSession');
    await storeReply(db, { organizationId, conversationId, replyToId: first!.stored.id, role: 'assistant', content: '¿En qué te ayudo?', channel: 'web', metadata: { language: 'es' } });

    const second = await say('precios');
    expect(second!.stored.content).toBe('precios');
    expect(second!.context).toEqual({
      history: [
        { role: 'user', content: 'hola' },
        { role: 'assistant', content: '¿En qué te ayudo?' },
      ],
      lastReply: { role: 'assistant', metadata: { language: 'es' } },
    });

    // No position yet: the flow starts, so the history is not read.
    const third = await say('Ana', { withFlowSession: true });
    expect(third!.flowSession).toEqual({ state: null, contactName: null });
    expect(third!.context).toBeNull();
    // Read afterwards, it is the same as read with the message: the memory size (2) bounds it, newest kept, oldest first.
    expect(await readTurnHistory(db, third!.stored, 2)).toEqual({
      history: [
        { role: 'assistant', content: '¿En qué te ayudo?' },
        { role: 'user', content: 'precios' },
      ],
      lastReply: { role: 'assistant', metadata: { language: 'es' } },
    });

    const waiting = { flowId, version: 1, status: 'waiting', variables: { name: 'Ana' } };
    await db.insert(flowSessions).values({ conversationId, organizationId, flowId, version: 1, status: 'waiting', state: waiting });
    const fourth = await say('ana@example.com', { withFlowSession: true });
    expect(fourth!.messageCount).toBe(5);
    expect(fourth!.flowSession!.state).toEqual(waiting);
    expect(fourth!.context).toBeNull();

    // The flow has ended: the bot answers as usual, and the history comes with the message.
    const completed = { ...waiting, status: 'completed' };
    await db.update(flowSessions).set({ status: 'completed', state: completed }).where(eq(flowSessions.conversationId, conversationId));
    const fifth = await say('gracias', { withFlowSession: true });
    expect(fifth!.flowSession!.state).toEqual(completed);
    expect(fifth!.context).toEqual({
      history: [
        { role: 'user', content: 'Ana' },
        { role: 'user', content: 'ana@example.com' },
      ],
      lastReply: { role: 'assistant', metadata: { language: 'es' } },
    });
  });
});
