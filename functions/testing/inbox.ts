import { expect } from 'vitest';
import { parseSse } from './fake-openai';
import type { TestApi, TestUser } from './harness';

/**
 * Fixtures for the inbox tests: a team with a deployed bot that knows one fact (deliveries take
 * 2 to 4 working days), and widget visitors who talk to it.
 */
export interface Team {
  owner: TestUser;
  orgId: string;
  botId: string;
}

export async function createTeam(api: TestApi, settings: Record<string, unknown> = {}): Promise<Team> {
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

/** A widget visitor with a session (and pre-chat answers, if given) who can say things to the bot. */
export async function widgetVisitor(api: TestApi, botId: string, preChat: Record<string, string> = {}) {
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

/** An agent sends a file into a conversation from the inbox (multipart, as the reply box's paperclip does). */
export async function uploadAgentFile(api: TestApi, agent: { token: string; orgId: string }, conversationId: string, file: File, caption?: string) {
  const form = new FormData();
  form.append('file', file);
  if (caption) form.append('caption', caption);
  const res = await fetch(`${api.baseUrl}/api/v1/conversations/${conversationId}/attachments`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${agent.token}`, 'x-organization-id': agent.orgId },
  });
  return { status: res.status, body: (await res.json()) as any };
}
