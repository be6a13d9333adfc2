/** Outgoing webhooks: types, queryOptions factories and the calls the pages make. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api } from './api';

export const WEBHOOK_EVENT_GROUPS = {
  conversations: ['conversation.created', 'conversation.updated', 'conversation.handoff'],
  messages: ['message.created', 'message.updated', 'message.failed'],
  documents: ['document.ready', 'document.failed'],
} as const;

export type WebhookEvent = (typeof WEBHOOK_EVENT_GROUPS)[keyof typeof WEBHOOK_EVENT_GROUPS][number];
export const WEBHOOK_EVENTS: WebhookEvent[] = Object.values(WEBHOOK_EVENT_GROUPS).flat();

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: WebhookEvent[];
  isActive: boolean;
  failureCount: number;
  disabledAt: string | null;
  disabledReason: string | null;
  lastDeliveryAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
export const DELIVERY_STATUSES: DeliveryStatus[] = ['succeeded', 'failed', 'pending'];

export interface WebhookAttempt {
  attempt: number;
  responseStatus: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
  createdAt: string;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  durationMs: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: Record<string, unknown>;
  attemptLog: WebhookAttempt[];
}

export interface WebhookInput {
  name?: string;
  url?: string;
  events?: WebhookEvent[];
  isActive?: boolean;
}

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
    queryKey: ['webhooks', { orgId }],
    queryFn: async () => (await api<{ data: Webhook[] }>(base, { orgId })).data,
  });

export const webhookQuery = (orgId: string, webhookId: string) =>
  queryOptions({
    queryKey: ['webhooks', { orgId, webhookId }],
    queryFn: () => api<Webhook>(one(webhookId), { orgId }),
    ...LIVE,
  });

/** Polls while a delivery is still being retried, so the log shows attempts as they happen. */
export const webhookDeliveriesQuery = (orgId: string, webhookId: string, status?: DeliveryStatus) =>
  infiniteQueryOptions({
    queryKey: ['webhook-deliveries', { orgId, webhookId }, { status: status ?? null }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '20' });
      if (status) qs.set('status', status);
      if (pageParam) qs.set('cursor', pageParam);
      return api<{ data: WebhookDelivery[]; nextCursor: string | null }>(`${one(webhookId)}/deliveries?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
    ...LIVE,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.data.some((d) => d.status === 'pending')) ? POLL_MS : false),
  });

type WithSecret = Webhook & { secret: string };
type AttemptResult = { ok: boolean; delivery: WebhookDelivery };

export const webhooksApi = {
  create: (orgId: string, input: WebhookInput) => api<WithSecret>(base, { method: 'POST', body: input, orgId }),
  update: (orgId: string, id: string, input: WebhookInput) => api<Webhook>(one(id), { method: 'PUT', body: input, orgId }),
  remove: (orgId: string, id: string) => api(one(id), { method: 'DELETE', orgId }),
  test: (orgId: string, id: string) => api<AttemptResult>(`${one(id)}/test`, { method: 'POST', orgId }),
  rotateSecret: (orgId: string, id: string) => api<WithSecret>(`${one(id)}/rotate-secret`, { method: 'POST', orgId }),
  resend: (orgId: string, id: string, deliveryId: string) =>
    api<AttemptResult>(`${one(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`, { method: 'POST', orgId }),
};
