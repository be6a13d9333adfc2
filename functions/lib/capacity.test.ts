import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse } from '../testing/fake-openai';
import { createTestApi, type TestApi } from '../testing/harness';
import { capacityFailure } from './capacity';

/** What drizzle throws for a refused statement: its own error around the driver's. */
function driverError(sqlstate: string) {
  const cause = Object.assign(new Error('sorry, too many clients already'), { code: sqlstate, severity: 'FATAL', routine: 'InitProcess' });
  return Object.assign(new Error('Failed query: insert into "messages" … params: secret text'), { name: 'DrizzleQueryError', query: 'insert …', params: ['secret text'], cause });
}

describe('capacityFailure', () => {
  it('turns a busy database (too many connections, a dropped connection, a deadlock) into overloaded with Retry-After', () => {
    for (const sqlstate of ['53300', '53200', '08006', '57P03', '40001', '40P01']) {
      const busy = capacityFailure(driverError(sqlstate));
      expect(busy?.code, sqlstate).toBe('overloaded');
      expect(busy?.status).toBe(503);
      expect(busy?.headers).toEqual({ 'Retry-After': '2' });
      expect(busy?.message).not.toContain('secret');
    }
  });

  it('leaves real faults alone: a constraint, bad input, a plain error', () => {
    for (const sqlstate of ['23505', '22P02', '42P01']) expect(capacityFailure(driverError(sqlstate)), sqlstate).toBeNull();
    expect(capacityFailure(new Error('boom'))).toBeNull();
    expect(capacityFailure('not an error')).toBeNull();
  });
});

describe('a database that refuses for capacity', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
    // Postgres' own refusal, raised where the turn first writes: what the edge meets when every
    // connection slot is taken (53300). Only for messages that ask for it.
    const db = api.runtime.services.db;
    await db.execute(sql.raw(`
      create function refuse_busy() returns trigger language plpgsql as $$
      begin
        if new.content like 'BUSY%' then raise exception 'sorry, too many clients already' using errcode = '53300'; end if;
        return new;
      end $$`));
    await db.execute(sql.raw('create trigger refuse_busy before insert on messages for each row execute function refuse_busy()'));
    // The same refusal after the question is stored: on the answer to a question that asks for it.
    await db.execute(sql.raw(`
      create function refuse_answer() returns trigger language plpgsql as $$
      begin
        if new.role = 'assistant' and exists (select 1 from messages q where q.id = new.reply_to_id and q.content like 'LATE%')
          and not exists (select 1 from refuse_answer_off) then
          raise exception 'sorry, too many clients already' using errcode = '53300';
        end if;
        return new;
      end $$`));
    await db.execute(sql.raw('create table refuse_answer_off (off boolean)'));
    await db.execute(sql.raw('create trigger refuse_answer before insert on messages for each row execute function refuse_answer()'));
  });
  afterAll(() => api.close());

  async function widgetConversation() {
    const user = await api.signUp();
    await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive' } });
    expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
    const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    return { user, botId: bot.body.id as string, session: session.body as { sessionToken: string; conversationId: string } };
  }

  it('ends the widget stream with overloaded and retryAfterSeconds, and nothing is stored, so the widget sends it again', async () => {
    const { botId, session } = await widgetConversation();
    const res = await api.call('POST', `/api/v1/widget/${botId}/chat`, { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { message: 'BUSY ¿abrís el sábado?' } });
    expect(res.status).toBe(200);
    const events = parseSse(res.raw);
    expect(events.map((e) => e.event), res.text).toEqual(['error']);
    expect(events[0]!.data).toEqual({ code: 'overloaded', message: expect.any(String), retryAfterSeconds: 2 });
    const history = await api.call('GET', `/api/v1/widget/${botId}/messages`, { headers: { authorization: `Bearer ${session.sessionToken}` } });
    expect(history.body.data.filter((m: { role: string }) => m.role === 'user')).toEqual([]);
  });

  it('answers a JSON route with 503 overloaded, Retry-After and the one error shape', async () => {
    const { user, session } = await widgetConversation();
    const res = await api.call('POST', `/api/v1/conversations/${session.conversationId}/messages`, { token: user.token, body: { content: 'BUSY reply' } });
    expect(res.status, res.text).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.body.error).toMatchObject({ code: 'overloaded', details: { retryAfterSeconds: 2 }, requestId: expect.any(String) });
    const ok = await api.call('POST', `/api/v1/conversations/${session.conversationId}/messages`, { token: user.token, body: { content: 'Hola' } });
    expect(ok.status, ok.text).toBe(201);
  });

  it('queues the late answer at once when the stream fails after the question was stored; the widget is told to wait for it', async () => {
    const { botId, session } = await widgetConversation();
    const auth = { authorization: `Bearer ${session.sessionToken}` };
    const res = await api.call('POST', `/api/v1/widget/${botId}/chat`, { headers: auth, body: { message: 'LATE ¿abrís el sábado?' } });
    const events = parseSse(res.raw);
    const names = events.map((e) => e.event);
    expect([names[0], names.at(-1)], res.text).toEqual(['message', 'error']);
    expect(names).not.toContain('done');
    expect(events.at(-1)!.data).toMatchObject({ code: 'internal_error', answerQueued: true });
    const questionId = (events[0]!.data as { message: { id: string } }).message.id;

    // The database is back; the job's 5 s delay is skipped rather than waited for.
    const db = api.runtime.services.db;
    await db.execute(sql`insert into refuse_answer_off values (true)`);
    await db.execute(sql`update local_jobs set run_at = now() where status = 'pending'`);
    await api.runtime.queue.drain();
    const history = await api.call('GET', `/api/v1/widget/${botId}/messages`, { headers: auth });
    const messages = history.body.data as Array<{ id: string; role: string; content: string }>;
    expect(messages.filter((m) => m.role === 'user').map((m) => m.id)).toEqual([questionId]);
    expect(messages.filter((m) => m.role === 'assistant')).toHaveLength(1);
  });
});

