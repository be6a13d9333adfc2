import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local-runtime';
import type { EventSubscriber, Services } from '../../ports';
import { orgStreamKey, publishEvent } from './publish';
import type { OrgEvent, PublishOptions } from './types';

/** The publisher hands each event to the subscribers the runtime registered, and imports none of them. */
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalRuntime({ dataDir: null });
});
afterAll(() => runtime.close());

function recorder(name: string, timing: EventSubscriber['timing']) {
  const heard: Array<{ event: OrgEvent; options: PublishOptions }> = [];
  const subscriber: EventSubscriber = {
    name,
    timing,
    async deliver(_services, event, options) {
      heard.push({ event, options });
    },
  };
  return { subscriber, heard };
}

describe('publishEvent', () => {
  it('delivers to a registered subscriber: inline ones before it returns, background ones after', async () => {
    const inline = recorder('fake-inline', 'inline');
    const background = recorder('fake-background', 'background');
    const services: Services = { ...runtime.services, eventSubscribers: [inline.subscriber, background.subscriber] };
    const organizationId = crypto.randomUUID();

    const event = await publishEvent(services, organizationId, 'conversation.created', { conversationId: 'c1' }, { visitorConversationId: 'c1' });

    expect(inline.heard).toEqual([{ event, options: { visitorConversationId: 'c1' } }]);
    await runtime.idle();
    expect(background.heard).toEqual([{ event, options: { visitorConversationId: 'c1' } }]);
    expect(event).toMatchObject({ type: 'conversation.created', organizationId, data: { conversationId: 'c1' } });
    // Only the registered subscribers hear it: the live stream was not in this list.
    expect(await runtime.services.kv.streamLastId(orgStreamKey(organizationId))).toBe('0-0');
  });

  it('a failing inline subscriber does not fail the publish nor stop the others', async () => {
    const after = recorder('after', 'inline');
    const failing: EventSubscriber = { name: 'failing', timing: 'inline', deliver: async () => Promise.reject(new Error('down')) };
    const services: Services = { ...runtime.services, eventSubscribers: [failing, after.subscriber] };
    const event = await publishEvent(services, crypto.randomUUID(), 'document.ready', { documentId: 'd1' });
    expect(after.heard.map((h) => h.event.id)).toEqual([event.id]);
  });

  it('the runtime registers the live stream: a published event is on the organization stream', async () => {
    const organizationId = crypto.randomUUID();
    const event = await publishEvent(runtime.services, organizationId, 'conversation.created', { conversationId: 'c2' }, { webhooks: false });
    const [entry] = await runtime.services.kv.streamRead(orgStreamKey(organizationId), '0-0', 10);
    expect(JSON.parse(entry.data)).toEqual(event);
  });
});
