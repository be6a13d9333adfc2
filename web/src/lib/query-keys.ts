/**
 * Every query key of the dashboard, one factory per resource. Keys carry the ids they depend on,
 * and a resource's broader keys are prefixes of its narrower ones, so invalidating `all(orgId)`
 * (TanStack Query matches key prefixes and partial objects) refreshes lists and details together.
 */
import type { AnalyticsFilters } from './queries-analytics';
import type { ConversationFilters } from './queries-inbox';
import type { BotFilters, DocumentFilters } from './queries';
import type { DeliveryStatus } from './queries-webhooks';

const conversations = {
  all: (orgId: string) => ['conversations', { orgId }] as const,
  lists: (orgId: string) => ['conversations', { orgId }, 'list'] as const,
  list: (orgId: string, filters: ConversationFilters) => ['conversations', { orgId }, 'list', filters] as const,
  /** A short first page (the Overview's preview), kept apart from the inbox's infinite list. */
  preview: (orgId: string, filters: ConversationFilters, limit: number) => ['conversations', { orgId }, 'list', filters, { limit }] as const,
  /** Whether the organization has any conversation at all. */
  any: (orgId: string) => ['conversations', { orgId }, 'list', 'any'] as const,
  counts: (orgId: string) => ['conversations', { orgId }, 'counts'] as const,
  detail: (orgId: string, id: string) => ['conversations', { orgId }, 'detail', id] as const,
  messages: (orgId: string, id: string) => ['conversations', { orgId }, 'messages', id] as const,
};

export const queryKeys = {
  profile: () => ['profile'] as const,
  sessions: () => ['sessions'] as const,
  backupCodes: () => ['backup-codes'] as const,
  verifyEmail: (token: string | undefined) => ['verify-email', { token }] as const,
  devOutbox: {
    available: () => ['dev-outbox', 'available'] as const,
    mine: () => ['dev-outbox', 'mine'] as const,
  },
  organizations: {
    list: () => ['organizations'] as const,
    detail: (orgId: string) => ['organization', { orgId }] as const,
  },
  usage: {
    root: () => ['usage'] as const,
    detail: (orgId: string) => ['usage', { orgId }] as const,
  },
  members: { list: (orgId: string) => ['members', { orgId }] as const },
  invitations: {
    list: (orgId: string) => ['invitations', { orgId }] as const,
    preview: (token: string) => ['invitation-preview', { token }] as const,
  },
  apiKeys: { list: (orgId: string) => ['api-keys', { orgId }] as const },
  auditLog: { list: (orgId: string) => ['audit-log', { orgId }] as const },
  providerKeys: {
    list: (orgId: string) => ['provider-keys', { orgId }] as const,
    presets: (orgId: string) => ['provider-presets', { orgId }] as const,
    models: (orgId: string, provider: string) => ['provider-models', { orgId, provider }] as const,
  },
  transcription: (orgId: string) => ['transcription-setting', { orgId }] as const,
  chatModels: { list: (orgId: string) => ['chat-models', { orgId }] as const },
  embeddingModels: { list: (orgId: string) => ['embedding-models', { orgId }] as const },
  knowledgeBases: {
    root: () => ['knowledge-bases'] as const,
    /** The list, and the prefix of every base's detail. */
    all: (orgId: string) => ['knowledge-bases', { orgId }] as const,
    detail: (orgId: string, kbId: string) => ['knowledge-bases', { orgId, kbId }] as const,
  },
  documents: {
    all: (orgId: string) => ['knowledge-documents', { orgId }] as const,
    ofBase: (orgId: string, kbId: string) => ['knowledge-documents', { orgId, kbId }] as const,
    list: (orgId: string, kbId: string, filters: DocumentFilters) => ['knowledge-documents', { orgId, kbId }, filters] as const,
    detail: (orgId: string, kbId: string, docId: string) => ['knowledge-documents', { orgId, kbId }, { docId }] as const,
    chunks: (orgId: string, kbId: string, docId: string) => ['knowledge-chunks', { orgId, kbId, docId }] as const,
    sampleShop: (orgId: string, knowledgeBaseId: string | undefined) => ['sample-shop-documents', { orgId, knowledgeBaseId }] as const,
  },
  chatbots: {
    root: () => ['bots'] as const,
    /** Lists and details of one organization's bots. */
    all: (orgId: string) => ['bots', { orgId }] as const,
    list: (orgId: string, filters: BotFilters) => ['bots', { orgId }, filters] as const,
    detail: (orgId: string, botId: string) => ['bots', { orgId, botId }] as const,
    schedules: (orgId: string, botId: string) => ['bot-schedules', { orgId, botId }] as const,
    models: (orgId: string, botId: string) => ['bot-models', { orgId, botId }] as const,
    identitySecret: (orgId: string, botId: string) => ['bot-identity-secret', { orgId, botId }] as const,
    widgetBundle: () => ['widget-bundle'] as const,
  },
  integrations: {
    /** The list, and the prefix of every integration's status. */
    all: (orgId: string) => ['integrations', { orgId }] as const,
    status: (orgId: string, id: string) => ['integrations', { orgId, id }, 'status'] as const,
  },
  webhooks: {
    /** The list, and the prefix of every endpoint's detail. */
    all: (orgId: string) => ['webhooks', { orgId }] as const,
    detail: (orgId: string, webhookId: string) => ['webhooks', { orgId, webhookId }] as const,
    deliveries: (orgId: string, webhookId: string) => ['webhook-deliveries', { orgId, webhookId }] as const,
    deliveriesByStatus: (orgId: string, webhookId: string, status: DeliveryStatus | undefined) =>
      ['webhook-deliveries', { orgId, webhookId }, { status: status ?? null }] as const,
  },
  analytics: {
    overview: (orgId: string, filters: AnalyticsFilters) => ['analytics', { orgId }, 'overview', filters] as const,
    knowledgeGaps: (orgId: string, filters: AnalyticsFilters) => ['analytics', { orgId }, 'knowledge-gaps', filters] as const,
    models: (orgId: string, filters: AnalyticsFilters) => ['analytics', { orgId }, 'models', filters] as const,
  },
  conversations,
  cannedResponses: { list: (orgId: string) => ['canned-responses', { orgId }] as const },
};
