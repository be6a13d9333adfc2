import { slackHandoffSubscriber } from './core/channels/handoff-notify';
import { liveStreamSubscriber } from './core/events/live-stream';
import { webhookSubscriber } from './core/webhooks/dispatch';
import type { EventSubscriber } from './ports';

/**
 * Who hears organization events, registered once here and handed to both runtimes' services
 * (local-runtime.ts, adapters/edge/services.ts). A new listener (analytics, flows) is one more
 * entry; the publisher (core/events/publish.ts) never imports its listeners.
 */
export const eventSubscribers: readonly EventSubscriber[] = [liveStreamSubscriber, webhookSubscriber, slackHandoffSubscriber];
