import type { OrgEvent } from '../events/types';

/**
 * What a receiver gets: the event envelope, the same object the dashboard's live stream carries
 * (`id` is stable across endpoints and retries, so receivers dedupe on it). Built in this key
 * order every time: stored as jsonb, the payload comes back with its keys reordered.
 */
export interface WebhookBody {
  id: string;
  type: string;
  createdAt: string;
  organizationId: string;
  data: Record<string, unknown>;
}

export function webhookBody(event: Pick<OrgEvent, 'id' | 'type' | 'createdAt' | 'organizationId' | 'data'> | WebhookBody): WebhookBody {
  return { id: event.id, type: event.type, createdAt: event.createdAt, organizationId: event.organizationId, data: event.data };
}
