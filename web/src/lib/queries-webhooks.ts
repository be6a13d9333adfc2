/** Outgoing webhooks: types, queryOptions factories and the calls the pages make. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api } from './api';
import type { ApiBody, ApiResponse, Schemas } from './api-contract';
import { queryKeys } from './query-keys';

export const WEBHOOK_EVENT_GROUPS = {
  conversations: ['conversation.created', 'conversation.updated', 'conversation.handoff'],
  messages: ['message.created', 'message.updated', 'message.failed'],
  documents: ['document.ready', 'document.failed'],
} as const satisfies Record<string, readonly WebhookEvent[]>;

export const WEBHOOK_EVENTS: WebhookEvent[] = Object.values(WEBHOOK_EVENT_GROUPS).flat();

export type Webhook = Schemas['Webhook'];
export type WebhookEvent = Webhook['events'][number];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookAttempt = Schemas['WebhookAttempt'];
export type DeliveryStatus = WebhookDelivery['status'];
export const DELIVERY_STATUSES: DeliveryStatus[] = ['succeeded', 'failed', 'pending'];

export type WebhookInput = ApiBody<'/api/v1/webhooks/{webhook_id}', 'put'>;

/** A disabled endpoint was turned off by the system after failing; a paused one by an admin. */
export type WebhookState = 'active' | 'paused' | 'disabled';
export const webhookState = (w: Pick<Webhook, 'isActive' | 'disabledAt'>): WebhookState => (w.isActive ? 'active' : w.disabledAt ? 'disabled' : 'paused');

const base = '/api/v1/webhooks';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;
const POLL_MS = 3000;
/** Deliveries happen in the background: what a hover preloaded a moment ago may already be old. */
const LIVE = { staleTime: 0 };

export const webhooksQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.webhooks.all(orgId),
    queryFn: async () => (await api<{ data: Webhook[] }>(base, { orgId })).data,
  });

export const webhookQuery = (orgId: string, webhookId: string) =>
  queryOptions({
    queryKey: queryKeys.webhooks.detail(orgId, webhookId),
    queryFn: () => api<Webhook>(one(webhookId), { orgId }),
    ...LIVE,
  });

/** Polls while a delivery is still being retried, so the log shows attempts as they happen. */
export const webhookDeliveriesQuery = (orgId: string, webhookId: string, status?: DeliveryStatus) =>
  infiniteQueryOptions({
    queryKey: queryKeys.webhooks.deliveriesByStatus(orgId, webhookId, status),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '20' });
      if (status) qs.set('status', status);
      if (pageParam) qs.set('cursor', pageParam);
      return api<ApiResponse<'/api/v1/webhooks/{webhook_id}/deliveries'>>(`${one(webhookId)}/deliveries?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
    ...LIVE,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.data.some((d) => d.status === 'pending')) ? POLL_MS : false),
  });

type WithSecret = ApiResponse<'/api/v1/webhooks', 'post'>;
type AttemptResult = ApiResponse<'/api/v1/webhooks/{webhook_id}/test', 'post'>;

export const webhooksApi = {
  create: (orgId: string, input: WebhookInput) => api<WithSecret>(base, { method: 'POST', body: input, orgId }),
  update: (orgId: string, id: string, input: WebhookInput) => api<Webhook>(one(id), { method: 'PUT', body: input, orgId }),
  remove: (orgId: string, id: string) => api(one(id), { method: 'DELETE', orgId }),
  test: (orgId: string, id: string) => api<AttemptResult>(`${one(id)}/test`, { method: 'POST', orgId }),
  rotateSecret: (orgId: string, id: string) => api<WithSecret>(`${one(id)}/rotate-secret`, { method: 'POST', orgId }),
  resend: (orgId: string, id: string, deliveryId: string) =>
    api<AttemptResult>(`${one(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`, { method: 'POST', orgId }),
};
