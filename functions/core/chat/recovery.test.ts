/**
 * A process that dies between storing a visitor's question and answering it: after the recovery
 * each such question has exactly one answer (the widget hears of it on its event stream), or a
 * visible "not answered" note; documents stuck in processing end failed with the reason.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bots, documents, messages } from '../../../db/schema';
import { conversationStreamKey } from '../events/publish';
import { blobKeyFor, markFailed, startProcessing } from '../ingest/pipeline';
import { createTestApi, type TestApi, type TestUser } from '../../testing/harness';
import { forgetBot } from './bot-runtime';
import { recoverUnansweredMessages, unansweredQuery } from './recovery';
import { rowsOf } from '../../lib/sql';
import type { Database } from '../../ports';
import { storeUserTurn } from './store';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

async function liveBot() {
  const user = await api.signUp();
  await api.createOrg(user);
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Help' } });
  await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: user.token,
    body: { type: 'text', name: 'Hours', text: 'The shop opens Monday to Saturday from 10:00 to 20:00.' },
  });
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', {
    token: user.token,
    body: { name: 'Sol', model: 'builtin:extractive', language: 'en', knowledgeBaseIds: [kb.body.id], answerOutsideHours: true },
  });
  expect(bot.status, bot.text).toBe(201);
  await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
  const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
  return { user, botId: bot.body.id as string, organizationId: (await api.call('GET', '/api/v1/organizations', { token: user.token })).body.data[0].id as string, conversationId: session.body.conversationId as string };
}

/** What a crash right after storing the question leaves behind: the question, and nothing else. */
async function storeQuestionThenDie(organizationId: string, conversationId: string, text: string) {
  const turn = await storeUserTurn(api.runtime.services.db, { organizationId, conversationId, role: 'user', content: text, channel: 'web' }, 10);
  return turn!.stored.id;
}

async function inboxThread(user: TestUser, conversationId: string) {
  const res = await api.call('GET', `/api/v1/conversations/${conversationId}/messages`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<{ id: string; role: string; content: string }>;
}

const repliesTo = (id: string) => api.runtime.services.db.select().from(messages).where(eq(messages.replyToId, id));

describe('recovery of questions left unanswered', () => {
  it('finds unanswered questions through the indexes, not by reading every message', async () => {
    // Whatever the planner would pick on this tiny table, the query must be one an index can
    // serve: with sequential scans priced out, a plan still reading messages by a sequential scan
    // means no index fits (the sweep read a million rows that way).
    const plan = await api.runtime.services.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return rowsOf<{ 'QUERY PLAN': unknown }>(tx as unknown as Database, sql`explain (format json) ${unansweredQuery(120)}`);
    });
    const text = JSON.stringify(plan);
    expect(text).toContain('messages_user_created_idx');
    expect(text).toContain('messages_reply_to_idx');
    expect(text).not.toMatch(/"Node Type":"Seq Scan","Parent Relationship":"[^"]*","Parallel Aware":false,"Async Capable":false,"Relation Name":"messages"/);
  });

  it('answers each exactly once, even when the recovery runs twice, and the widget hears of it', async () => {
    const { user, organizationId, conversationId } = await liveBot();
    const id = await storeQuestionThenDie(organizationId, conversationId, 'When does the shop open?');
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    await api.runtime.idle();
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    await api.runtime.idle();

    const replies = await repliesTo(id);
    expect(replies.map((r) => r.role)).toEqual(['assistant']);
    expect(replies[0].content).toMatch(/10:00/);
    const thread = await inboxThread(user, conversationId);
    expect(thread.filter((m) => m.role === 'assistant')).toHaveLength(1);
    // The widget's event stream carries the late answer.
    const events = await api.runtime.services.kv.streamRead(conversationStreamKey(conversationId), '0-0', 100);
    expect(events.map((e) => JSON.parse(e.data)).filter((e) => e.type === 'message.created').map((e) => e.data.message.id)).toContain(replies[0].id);
  });

  it('leaves recent questions (maybe still being answered) and human-handled conversations alone', async () => {
    const { organizationId, conversationId } = await liveBot();
    const id = await storeQuestionThenDie(organizationId, conversationId, 'Hello?');
    expect(await recoverUnansweredMessages(api.runtime.services)).toEqual({ queued: 0 });
    await api.runtime.services.db.execute(sql`update conversations set handoff = 'human' where id = ${conversationId}`);
    expect(await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 })).toEqual({ queued: 0 });
    expect(await repliesTo(id)).toEqual([]);
  });

  it('marks the question not answered, visibly in the inbox, when the bot cannot answer any more', async () => {
    const { user, botId, organizationId, conversationId } = await liveBot();
    const id = await storeQuestionThenDie(organizationId, conversationId, 'Are you open on Sunday?');
    await api.runtime.services.db.update(bots).set({ status: 'inactive' }).where(eq(bots.id, botId));
    await forgetBot(api.runtime.services, botId);
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    await api.runtime.idle();
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    await api.runtime.idle();

    const replies = await repliesTo(id);
    expect(replies.map((r) => [r.role, r.content])).toEqual([['system', 'We could not answer this message. Someone from our team will look at it.']]);
    expect(replies[0].error).toMatch(/not active/);
    const thread = await inboxThread(user, conversationId);
    expect(thread.filter((m) => m.role === 'system').map((m) => m.content)).toEqual([replies[0].content]);
  });

  it('a reply job that fails on every attempt leaves the question marked, with the reason', async () => {
    const { user, botId, organizationId, conversationId } = await liveBot();
    // Its knowledge base now names an embedding model this deployment does not have: every
    // attempt to answer throws, as a broken dependency would.
    await api.runtime.services.db.execute(
      sql`update knowledge_bases set embedding_model = 'gone:model' where id in (select knowledge_base_id from bot_knowledge_bases where bot_id = ${botId})`,
    );
    await forgetBot(api.runtime.services, botId);
    const id = await storeQuestionThenDie(organizationId, conversationId, 'When does the shop open?');
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    // Retries are scheduled a few milliseconds apart; drain until the last one has run.
    const replies = await vi.waitFor(
      async () => {
        await api.runtime.idle();
        const found = await repliesTo(id);
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(replies.map((r) => r.role)).toEqual(['system']);
    expect(replies[0].error).toMatch(/^Gave up after 3 attempts: /);
    const thread = await inboxThread(user, conversationId);
    expect(thread.map((m) => m.role)).toEqual(['user', 'system']);
  });

  it('marks an older question not answered when the visitor has written since, and answers the newest', async () => {
    const { organizationId, conversationId } = await liveBot();
    const first = await storeQuestionThenDie(organizationId, conversationId, 'Hello?');
    const second = await storeQuestionThenDie(organizationId, conversationId, 'When does the shop open?');
    await recoverUnansweredMessages(api.runtime.services, { olderThanSeconds: 0 });
    await api.runtime.idle();
    expect((await repliesTo(first)).map((r) => r.role)).toEqual(['system']);
    expect((await repliesTo(second)).map((r) => r.role)).toEqual(['assistant']);
  });
});

describe('documents never stay processing', () => {
  async function textDocument() {
    const user = await api.signUp();
    await api.createOrg(user);
    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'KB' } });
    return { user, kb: kb.body.id as string };
  }

  it('extracted text with NUL and control characters is cleaned before chunking and becomes ready', async () => {
    const { user, kb } = await textDocument();
    const created = await api.call('POST', `/api/v1/knowledge-bases/${kb}/documents`, { token: user.token, body: { type: 'text', name: 'n', text: 'hello' } });
    await api.runtime.queue.drain();
    // The API refuses such text, but extraction produces it (PDF strings, binary-ish files): the
    // stored original is swapped for it and processed again.
    const [row] = await api.runtime.services.db.select().from(documents).where(eq(documents.id, created.body.id));
    const bytes = new TextEncoder().encode('Opening hours\u0000 are\u0007 10:00\u001b to 20:00.\tTabs\r\nand lines \uD800stay.');
    await api.runtime.services.blobs.put(blobKeyFor(row), bytes);
    await startProcessing(api.runtime.services, row);
    await api.runtime.queue.drain();
    const doc = await api.call('GET', `/api/v1/knowledge-bases/${kb}/documents/${row.id}`, { token: user.token });
    expect(doc.body.status, doc.text).toBe('ready');
    const rows = await api.runtime.services.db.execute(sql`select content from chunks where document_id = ${row.id}`);
    const text = (rows as unknown as { rows: Array<{ content: string }> }).rows.map((r) => r.content).join(' ');
    expect(text).toContain('Opening hours are 10:00 to 20:00.');
    expect(text).not.toMatch(/[\u0000\u0007\u001b]/);
  });

  it('marking a failure cannot fail on its reason (NUL, lone surrogates, any length)', async () => {
    const { user, kb } = await textDocument();
    const created = await api.call('POST', `/api/v1/knowledge-bases/${kb}/documents`, { token: user.token, body: { type: 'text', name: 'n', text: 'hello' } });
    const [doc] = await api.runtime.services.db.select().from(documents).where(eq(documents.id, created.body.id));
    await markFailed(api.runtime.services, doc, `bad \u0000 byte and \uD800 half a pair ${'x'.repeat(5000)}`);
    const [after] = await api.runtime.services.db.select().from(documents).where(eq(documents.id, doc.id));
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/^bad {2}byte and \uFFFD half a pair x+$/);
    expect(after.error!.length).toBeLessThanOrEqual(1000);
  });

  it('the sweep fails a document stuck in processing past the deadline, with the reason', async () => {
    const { user, kb } = await textDocument();
    const created = await api.call('POST', `/api/v1/knowledge-bases/${kb}/documents`, { token: user.token, body: { type: 'text', name: 'n', text: 'hello' } });
    await api.runtime.queue.drain();
    // As a killed process leaves it: processing, last touched two hours ago, no job left.
    await api.runtime.services.db.execute(sql`update documents set status = 'processing', updated_at = now() - interval '2 hours' where id = ${created.body.id}`);
    await api.runtime.services.queue.enqueue('sweep-stuck-work', {});
    await api.runtime.queue.drain();
    const doc = await api.call('GET', `/api/v1/knowledge-bases/${kb}/documents/${created.body.id}`, { token: user.token });
    expect(doc.body.status).toBe('failed');
    expect(doc.body.error).toMatch(/did not finish within 60 minutes/);
  });

  it('a document queued behind others of its knowledge base for over an hour is waiting, not stuck: failed only once that knowledge base is quiet', async () => {
    const { user, kb } = await textDocument();
    const post = (name: string) => api.call('POST', `/api/v1/knowledge-bases/${kb}/documents`, { token: user.token, body: { type: 'text', name, text: `hello from ${name}` } });
    const waiting = await post('waiting');
    const moving = await post('moving');
    await api.runtime.queue.drain();
    const { db } = api.runtime.services;
    // A bulk upload: this one still pending two hours after upload, another just made progress.
    await db.execute(sql`update documents set status = 'pending', updated_at = now() - interval '2 hours' where id = ${waiting.body.id}`);
    await db.execute(sql`update documents set status = 'processing', updated_at = now() where id = ${moving.body.id}`);
    const sweep = async () => {
      await api.runtime.services.queue.enqueue('sweep-stuck-work', {});
      await api.runtime.queue.drain();
      return (await api.call('GET', `/api/v1/knowledge-bases/${kb}/documents/${waiting.body.id}`, { token: user.token })).body;
    };
    expect((await sweep()).status).toBe('pending');
    // The knowledge base falls quiet: nothing there has changed for two hours.
    await db.execute(sql`update documents set updated_at = now() - interval '2 hours' where id = ${moving.body.id}`);
    const doc = await sweep();
    expect(doc.status).toBe('failed');
    expect(doc.error).toMatch(/did not finish within 60 minutes/);
  });
});
