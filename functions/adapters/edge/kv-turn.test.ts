import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstashOnRedis } from '../../../scripts/bench-upstash';
import { orgStreamKey } from '../../core/events/publish';
import { parseSse } from '../../testing/fake-openai';
import { createTestApi, type TestApi } from '../../testing/harness';
import { greetingFlow } from '../../testing/flows';
import { createTeam, type Team } from '../../testing/inbox';
import { createUpstashKv } from './kv';

/**
 * A widget turn's Upstash REST round trips with the edge KV adapter (against the edge suite's fake
 * Upstash in front of a real redis-server), counted at the fake: only the first (the rate limits
 * and the bot lookup) is on the way to `done`. The live inbox's announcements, held back at the
 * fake's door here, follow the answer in the order the messages were written: on a flow turn both
 * in one round trip, otherwise one after the other.
 */
let api: TestApi;
let upstash: Awaited<ReturnType<typeof startFakeUpstashOnRedis>>;

beforeAll(async () => {
  upstash = await startFakeUpstashOnRedis();
  // The visitor's message waits for the flow's answer however slow this machine is today.
  api = await createTestApi({ env: { CHAT_ANNOUNCE_HOLD_MS: '600000' } });
  api.runtime.services.kv = createUpstashKv({ url: upstash.url, token: upstash.token });
});
afterAll(async () => {
  await api?.close();
  await upstash?.close();
});

async function say(team: Team, token: string, message: string) {
  const res = await api.call('POST', `/api/v1/widget/${team.botId}/chat`, { headers: { authorization: `Bearer ${token}` }, body: { message } });
  expect(res.status, res.text).toBe(200);
  return parseSse(res.raw).find((e) => e.event === 'done')!.data.message as { content: string };
}

/**
 * Holds every Upstash request that appends to a stream until released. `releaseNewest` lets the
 * latest go first: were two appends in flight at once, the later one would land first.
 */
function holdStreamAppends() {
  const realFetch = globalThis.fetch;
  const held: Array<() => void> = [];
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (String(input).startsWith(upstash.url) && String(init?.body).includes('"XADD"')) {
      return new Promise<Response>((resolve, reject) => held.push(() => realFetch(input, init).then(resolve, reject)));
    }
    return realFetch(input, init);
  }) as typeof fetch;
  return {
    held,
    async releaseNewest() {
      await vi.waitFor(() => expect(held.length).toBeGreaterThan(0));
      held.pop()!();
    },
    restore: () => {
      globalThis.fetch = realFetch;
      for (const release of held.splice(0)) release();
    },
  };
}

const commandsOf = (requests: typeof upstash.upstash.requests) => requests.map((r) => r.commands.map((c) => c[0]).join('+'));

describe('a widget turn on the edge KV adapter', () => {
  it('a flow answers after one Upstash round trip; the message and the answer are announced after it, together, in order', async () => {
    const team = await createTeam(api);
    const flow = await api.call('POST', `/api/v1/chatbots/${team.botId}/flows`, {
      token: team.owner.token,
      body: {
        name: 'Saludo',
        document: greetingFlow(),
      },
    });
    expect(flow.status, flow.text).toBe(201);
    const published = await api.call('POST', `/api/v1/chatbots/${team.botId}/flows/${flow.body.id}/publish`, { token: team.owner.token });
    expect(published.status, published.text).toBe(201);
    const session = await api.call('POST', `/api/v1/widget/${team.botId}/session`, { body: {} });
    expect(session.status, session.text).toBe(200);
    const token = session.body.sessionToken as string;
    expect((await say(team, token, 'hola')).content).toBe('¿Tu nombre?');
    await api.runtime.idle();

    const from = upstash.upstash.requests.length;
    const hold = holdStreamAppends();
    try {
      // Every stream append is held: the answer arrives anyway.
      expect((await say(team, token, 'Ana')).content).toBe('Encantado, Ana\n\n¿Algo más?');
      expect(commandsOf(upstash.upstash.requests.slice(from))).toEqual(['EVAL+EVAL+GET']);
      await hold.releaseNewest();
    } finally {
      hold.restore();
    }
    await api.runtime.idle();
    // Each append with its expiry, after the webhook subscriptions' lookup of its event.
    expect(commandsOf(upstash.upstash.requests.slice(from))).toEqual(['EVAL+EVAL+GET', 'GET+XADD+EXPIRE+GET+XADD+EXPIRE']);
    const entries = (await upstash.upstash.command(['XRANGE', orgStreamKey(team.orgId), '-', '+'])) as Array<[string, string[]]>;
    // The first turn's three events went out together too, the conversation first.
    const events = entries
      .map(([, fields]) => JSON.parse(fields[1]!))
      .filter((e) => !e.type.startsWith('document.'))
      .map((e) => (e.type === 'message.created' ? `${e.data.message.role}: ${e.data.message.content}` : e.type));
    expect(events).toEqual(['conversation.created', 'user: hola', 'assistant: ¿Tu nombre?', 'user: Ana', 'assistant: Encantado, Ana\n\n¿Algo más?']);
  });
});

describe('a widget turn answered by the bot, no flow', () => {
  it('the inbox hears of the message while the bot answers, and of the answer after the response, in that order', async () => {
    const team = await createTeam(api);
    const session = await api.call('POST', `/api/v1/widget/${team.botId}/session`, { body: {} });
    expect(session.status, session.text).toBe(200);
    const token = session.body.sessionToken as string;
    await say(team, token, 'hola');
    await api.runtime.idle();

    const hold = holdStreamAppends();
    try {
      const answer = await say(team, token, '¿Cuánto tardan los envíos?');
      expect(answer.content).toContain('2 a 4 días');
      // The visitor's message, then the answer (its append waits for the message's).
      await hold.releaseNewest();
      await hold.releaseNewest();
    } finally {
      hold.restore();
    }
    await api.runtime.idle();
    const entries = (await upstash.upstash.command(['XRANGE', orgStreamKey(team.orgId), '-', '+'])) as Array<[string, string[]]>;
    const messages = entries.map(([, fields]) => JSON.parse(fields[1]!)).filter((e) => e.type === 'message.created').map((e) => e.data.message.role);
    expect(messages).toEqual(['user', 'assistant', 'user', 'assistant']);
  });
});
