/** Messaging channels (integrations): types, queryOptions factories and the calls the Channels page makes. */
import { queryOptions } from '@tanstack/react-query';
import { api } from './api';
import type { Schemas } from './api-contract';
import { queryKeys } from './query-keys';

export type Integration = Schemas['Integration'];
export type Platform = Integration['platform'];
export const PLATFORMS: Platform[] = ['whatsapp', 'messenger', 'instagram', 'telegram', 'email', 'slack', 'discord'];
export type IntegrationStatus = Integration['status'];
export type GroupMode = Integration['settings']['groups'];
export const GROUP_MODES: GroupMode[] = ['mentions', 'all', 'ignore'];
export type IntegrationHealth = Schemas['IntegrationStatus'];

/** The credential fields each platform asks for, in form order; `optional` ones may stay empty. */
export const CREDENTIAL_FIELDS: Record<Platform, Array<{ name: string; secret?: boolean; optional?: boolean }>> = {
  whatsapp: [{ name: 'phoneNumberId' }, { name: 'accessToken', secret: true }, { name: 'appSecret', secret: true }, { name: 'businessAccountId', optional: true }, { name: 'verifyToken', optional: true }],
  messenger: [{ name: 'pageId' }, { name: 'pageAccessToken', secret: true }, { name: 'appSecret', secret: true }, { name: 'verifyToken', optional: true }],
  instagram: [{ name: 'accountId' }, { name: 'pageAccessToken', secret: true }, { name: 'appSecret', secret: true }, { name: 'verifyToken', optional: true }],
  telegram: [{ name: 'botToken', secret: true }],
  email: [{ name: 'signingKey', secret: true, optional: true }],
  slack: [{ name: 'botToken', secret: true }, { name: 'signingSecret', secret: true }],
  discord: [{ name: 'applicationId' }, { name: 'publicKey' }, { name: 'botToken', secret: true }],
};

/** Platforms whose webhook URL the admin pastes in the platform's settings (Telegram registers itself). */
export const pastesWebhookUrl = (platform: Platform) => platform !== 'telegram';

export const isMeta = (platform: Platform) => platform === 'whatsapp' || platform === 'messenger' || platform === 'instagram';

const path = (id: string) => `/api/v1/integrations/${encodeURIComponent(id)}`;
export const channelsApi = {
  list: '/api/v1/integrations',
  one: path,
  connect: (id: string) => `${path(id)}/connect`,
  disconnect: (id: string) => `${path(id)}/disconnect`,
  status: (id: string) => `${path(id)}/status`,
};

export const integrationsQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.integrations.all(orgId),
    queryFn: async () => (await api<{ data: Integration[] }>(`${channelsApi.list}?limit=100`, { orgId })).data,
  });

export const integrationHealthQuery = (orgId: string, id: string) =>
  queryOptions({
    queryKey: queryKeys.integrations.status(orgId, id),
    queryFn: () => api<IntegrationHealth>(channelsApi.status(id), { orgId }),
    // The card shows the last message and error: keep it fresh while the page is open.
    refetchInterval: 30_000,
  });

/**
 * What the create form sends. Hand-written on purpose: the form keeps credentials as one map keyed
 * by CREDENTIAL_FIELDS, while the API's body (Schemas['CreateIntegration']) is a union per platform
 * that the server checks.
 */
export interface IntegrationDraft {
  platform: Platform;
  name: string;
  botId: string;
  credentials: Record<string, string>;
  settings?: Schemas['UpdateIntegration']['settings'];
}

export function createIntegration(orgId: string, draft: IntegrationDraft) {
  return api<Integration>(channelsApi.list, { method: 'POST', orgId, body: draft });
}

export function updateIntegration(orgId: string, id: string, change: Partial<Omit<IntegrationDraft, 'platform'>>) {
  return api<Integration>(channelsApi.one(id), { method: 'PUT', orgId, body: change });
}

export function connectIntegration(orgId: string, id: string) {
  return api<Integration>(channelsApi.connect(id), { method: 'POST', orgId, body: {} });
}
