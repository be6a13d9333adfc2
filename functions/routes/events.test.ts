import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam, widgetVisitor } from '../testing/inbox';
import { openSse } from '../testing/sse-client';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi({ env: { EVENTS_POLL_MS: '50', EVENTS_STREAM_SECONDS: '20' } });
});
afterAll(() => api.close());

const team = (settings?: Record<string, unknown>) => createTeam(api, settings);
const visitor = (botId: string, preChat?: Record<string, string>) => widgetVisitor(api, botId, preChat);

describe('event stream', () => {
  it('resumes the event stream from Last-Event-ID', async () => {
    const { owner, botId } = await team();
    const first = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${owner.token}` });
    const ready = await first.waitFor((e) => e.event === 'ready');
    first.close();
    // Events while disconnected…
    const v = await visitor(botId);
    await v.say('Primera pregunta');
    await v.say('Segunda pregunta');
    // …are all delivered after reconnecting with the last id seen.
    const resumed = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${owner.token}`, 'last-event-id': ready.id! });
    await resumed.waitFor((e) => e.event === 'message.created' && e.data.data.message.content === 'Segunda pregunta');
    const types = resumed.events.filter((e) => e.id && e.event !== 'ready').map((e) => e.event);
    expect(types.slice(0, 3)).toEqual(['conversation.created', 'message.created', 'message.created']);
    const ids = resumed.events.filter((e) => e.event !== 'ready').map((e) => e.id!);
    expect([...ids].sort()).toEqual(ids);
    resumed.close();
  });
});
