/**
 * Flows of a chatbot: the editor's API calls and queries (docs/flows contract, /api/v1/chatbots/{id}/flows…).
 * Types are those of the flow document schema shared with the server.
 */
import { queryOptions } from '@tanstack/react-query';
import type { FlowDocument, FlowIssue } from '../../../functions/core/flows/schema';
import { api } from './api';
import type { Schemas } from './api-contract';

/** The API's flow, with the draft typed by the shared zod schema (what the editor edits). */
export type Flow = Omit<Schemas['Flow'], 'draft'> & { draft: FlowDocument };
export type FlowVersionSummary = Schemas['FlowVersionSummary'];
export type FlowVersion = Omit<Schemas['FlowVersion'], 'document'> & { document: FlowDocument };
export type FlowTemplate = Schemas['FlowTemplate'];
export type FlowTemplateId = Schemas['FlowTemplateId'];
export type FlowReply = Schemas['FlowReply'];
export type FlowStep = Schemas['FlowStep'];
/** Opaque to the dashboard: sent back as is on the next turn ("replay" resends an earlier one). */
export type TestSession = Schemas['FlowTestSession'];
export type TestTurnResult = Omit<Schemas['FlowTestResult'], 'session'> & { session: TestSession };
export type FlowAnalytics = Schemas['FlowAnalytics'];

const base = (botId: string) => `/api/v1/chatbots/${encodeURIComponent(botId)}/flows`;
const one = (botId: string, flowId: string) => `${base(botId)}/${encodeURIComponent(flowId)}`;

export const flowKeys = {
  all: (orgId: string, botId: string) => ['flows', { orgId, botId }] as const,
  list: (orgId: string, botId: string) => ['flows', { orgId, botId }, 'list'] as const,
  detail: (orgId: string, botId: string, flowId: string) => ['flows', { orgId, botId }, 'detail', flowId] as const,
  versions: (orgId: string, botId: string, flowId: string) => ['flows', { orgId, botId }, 'versions', flowId] as const,
  analytics: (orgId: string, botId: string, flowId: string) => ['flows', { orgId, botId }, 'analytics', flowId] as const,
  templates: (orgId: string) => ['flow-templates', { orgId }] as const,
};

export const flowApi = {
  list: (botId: string) => api<{ data: Flow[] }>(base(botId)),
  create: (botId: string, body: { name: string; description?: string; template?: Schemas['FlowTemplateId']; document?: FlowDocument }) =>
    api<Flow>(base(botId), { method: 'POST', body }),
  get: (botId: string, flowId: string) => api<Flow>(one(botId, flowId)),
  update: (botId: string, flowId: string, body: { name?: string; description?: string; isEntry?: boolean }) =>
    api<Flow>(one(botId, flowId), { method: 'PATCH', body }),
  saveDraft: (botId: string, flowId: string, document: FlowDocument, baseRevision?: number) =>
    api<Flow>(`${one(botId, flowId)}/draft`, { method: 'PUT', body: { document, baseRevision } }),
  remove: (botId: string, flowId: string) => api<void>(one(botId, flowId), { method: 'DELETE' }),
  validate: (botId: string, flowId: string, document?: FlowDocument, signal?: AbortSignal) =>
    api<{ issues: FlowIssue[] }>(`${one(botId, flowId)}/validate`, { method: 'POST', body: { document }, signal }),
  publish: (botId: string, flowId: string) => api<FlowVersion>(`${one(botId, flowId)}/publish`, { method: 'POST', body: {} }),
  versions: (botId: string, flowId: string) => api<{ data: FlowVersionSummary[] }>(`${one(botId, flowId)}/versions`),
  version: (botId: string, flowId: string, version: number) => api<FlowVersion>(`${one(botId, flowId)}/versions/${version}`),
  restore: (botId: string, flowId: string, version: number) =>
    api<Flow>(`${one(botId, flowId)}/versions/${version}/restore`, { method: 'POST', body: {} }),
  test: (botId: string, flowId: string, body: { session?: TestSession; text?: string; quickReply?: string; document?: FlowDocument }) =>
    api<TestTurnResult>(`${one(botId, flowId)}/test`, { method: 'POST', body }),
  analytics: (botId: string, flowId: string, from?: string, to?: string) => {
    const q = new URLSearchParams();
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    return api<FlowAnalytics>(`${one(botId, flowId)}/analytics${q.size ? `?${q}` : ''}`);
  },
  templates: () => api<{ data: FlowTemplate[] }>('/api/v1/flow-templates'),
};

export const flowsQuery = (orgId: string, botId: string) =>
  queryOptions({ queryKey: flowKeys.list(orgId, botId), queryFn: () => flowApi.list(botId).then((r) => r.data) });

export const flowQuery = (orgId: string, botId: string, flowId: string) =>
  queryOptions({ queryKey: flowKeys.detail(orgId, botId, flowId), queryFn: () => flowApi.get(botId, flowId), staleTime: Infinity });

export const flowVersionsQuery = (orgId: string, botId: string, flowId: string) =>
  queryOptions({ queryKey: flowKeys.versions(orgId, botId, flowId), queryFn: () => flowApi.versions(botId, flowId).then((r) => r.data) });

export const flowAnalyticsQuery = (orgId: string, botId: string, flowId: string) =>
  queryOptions({ queryKey: flowKeys.analytics(orgId, botId, flowId), queryFn: () => flowApi.analytics(botId, flowId) });

export const flowTemplatesQuery = (orgId: string) =>
  queryOptions({ queryKey: flowKeys.templates(orgId), queryFn: () => flowApi.templates().then((r) => r.data), staleTime: 5 * 60_000 });

/** The organization's secrets (names and dates; values never come back), for flows' API calls. */
export type Secret = Schemas['Secret'];
export const secretKeys = { list: (orgId: string) => ['secrets', { orgId }] as const };
export const secretsQuery = (orgId: string) =>
  queryOptions({
    queryKey: secretKeys.list(orgId),
    queryFn: async () => (await api<{ data: Secret[] }>('/api/v1/secrets', { orgId })).data,
  });
