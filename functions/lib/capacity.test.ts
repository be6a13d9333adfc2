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
});
