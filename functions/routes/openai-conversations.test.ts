import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations } from '../../db/schema';
import { botWithKnowledge, startBotTestApi } from '../testing/bots';
import type { TestApi, TestUser } from '../testing/harness';
// After the app (testing/bots): retention's imports need zod's OpenAPI extension loaded first.
import { purgeOrganization } from '../core/privacy/retention';

/**
 * Which conversation an API end user (`user`) continues. The answer is cached in KV
 * (core/chat/api-chat.ts), so every path that deletes, moves or adds an API conversation must
 * make the next message look again: each test here would continue a conversation that is gone or
 * no longer the user's newest if its path forgot to.
 */
let api: TestApi;
let close: () => Promise<void>;
let owner: TestUser;
let bot: { id: string; slug: string };
let chatKey: string;

beforeAll(async () => {
  let llm;
  ({ api, llm, close } = await startBotTestApi());
  llm.reply = () => 'De acuerdo.';
  const world = await botWithKnowledge(api, { model: 'compatible:fake-llm', answerOnlyFromKnowledge: false });
  owner = world.user;
  bot = { id: world.bot.id, slug: world.bot.slug };
  const deployed = await api.call('POST', `/api/v1/chatbots/${bot.id}/deploy`, { token: owner.token });
  expect(deployed.status, deployed.text).toBe(200);
  const key = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'k', scopes: ['chat'] } });
  expect(key.status, key.text).toBe(201);
  chatKey = key.body.key;
});
afterAll(() => close());

/** One non-streamed completion as `user`; the conversation it landed in. */
async function say(user: string, content: string, model = bot.slug): Promise<string> {
  const res = await fetch(`${api.baseUrl}/api/v1/openai/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${chatKey}` },
    body: JSON.stringify({ model, user, messages: [{ role: 'user', content }] }),
  });
  const body = (await res.json()) as { versaai: { conversationId: string } };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.versaai.conversationId;
}

async function contactOf(conversationId: string) {
  const [row] = await api.runtime.services.db.select({ contactId: conversations.contactId }).from(conversations).where(eq(conversations.id, conversationId));
  return row.contactId;
}

describe('the conversation an API user continues', () => {
  it('is the same one turn after turn, by slug or by id, and one per user', async () => {
    const first = await say('ana', 'Hola');
    expect(await say('ana', '¿Seguimos?')).toBe(first);
    expect(await say('ana', 'Por id', bot.id)).toBe(first);
    expect(await say('beto', 'Hola')).not.toBe(first);
  });

  it('stays the same after the team closes it (the bot reopens it)', async () => {
    const first = await say('carla', 'Hola');
    const closed = await api.call('PUT', `/api/v1/conversations/${first}`, { token: owner.token, body: { status: 'closed' } });
    expect(closed.status, closed.text).toBe(200);
    expect(await say('carla', 'Sigo aquí')).toBe(first);
    const [row] = await api.runtime.services.db.select({ status: conversations.status }).from(conversations).where(eq(conversations.id, first));
    expect(row.status).toBe('open');
  });

  it('is a new one after the team deletes it', async () => {
    const first = await say('dani', 'Hola');
    const deleted = await api.call('DELETE', `/api/v1/conversations/${first}`, { token: owner.token });
    expect(deleted.status, deleted.text).toBe(204);
    const next = await say('dani', 'Otra vez');
    expect(next).not.toBe(first);
  });

  it('is the newest one after POST /conversations starts another for the same user', async () => {
    const first = await say('elena', 'Hola');
    const started = await api.call('POST', '/api/v1/conversations', { token: owner.token, body: { botId: bot.id, contact: { externalId: 'elena' } } });
    expect(started.status, started.text).toBe(201);
    expect(started.body.id).not.toBe(first);
    expect(await say('elena', 'Sigo')).toBe(started.body.id);
  });

  it('is a new one, for a new contact, after the contact is erased', async () => {
    const first = await say('fede', 'Hola');
    const contactId = await contactOf(first);
    const erased = await api.call('DELETE', `/api/v1/contacts/${contactId}`, { token: owner.token });
    expect(erased.status, erased.text).toBe(200);
    const next = await say('fede', 'Hola de nuevo');
    expect(next).not.toBe(first);
    expect(await contactOf(next)).not.toBe(contactId);
  });

  it('moves with a merge: the merged user continues on the kept contact', async () => {
    const mergedConversation = await say('gema', 'Hola');
    const mergedContact = await contactOf(mergedConversation);
    const keptConversation = await say('gema-otra-cuenta', 'Hola');
    const keptContact = await contactOf(keptConversation);
    const merged = await api.call('POST', `/api/v1/contacts/${keptContact}/merge`, { token: owner.token, body: { contactId: mergedContact } });
    expect(merged.status, merged.text).toBe(200);
    // The kept contact's newest API conversation with the bot, never a new one on the merged identity.
    const next = await say('gema', 'Sigo siendo yo');
    expect(await contactOf(next)).toBe(keptContact);
    expect(next).toBe(keptConversation);
    const [identity] = await api.runtime.services.db.select({ mergedIntoId: contacts.mergedIntoId }).from(contacts).where(eq(contacts.id, mergedContact));
    expect(identity.mergedIntoId).toBe(keptContact);
  });

  it('is a new one after the retention purge deletes it', async () => {
    const first = await say('hugo', 'Hola');
    const { services } = api.runtime;
    const [row] = await services.db.select({ organizationId: conversations.organizationId }).from(conversations).where(eq(conversations.id, first));
    const future = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    const purged = await purgeOrganization(services, row.organizationId, { conversationsDays: 1, messagesDays: null, filesDays: null }, { now: future });
    expect(purged.counts.conversations).toBeGreaterThan(0);
    const next = await say('hugo', 'Hola tras la purga');
    expect(next).not.toBe(first);
  });
});
