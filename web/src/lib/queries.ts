/** queryOptions factories, one per resource; keys carry the ids they depend on. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, ApiError } from './api';

import type { ApiResponse, ListItem, Schemas } from './api-contract';
import { queryKeys } from './query-keys';

export type Role = Schemas['Member']['role'];
export const ROLES: Role[] = ['owner', 'admin', 'agent', 'viewer'];
const RANK: Record<Role, number> = { viewer: 1, agent: 2, admin: 3, owner: 4 };
export const hasRole = (role: Role | undefined, atLeast: Role) => !!role && RANK[role] >= RANK[atLeast];

export type User = Schemas['User'];
export type Profile = ApiResponse<'/api/v1/users/profile'>;
/**
 * The organization routes always answer with the caller's role (the schema marks it optional
 * because it is shared with answers that have no caller).
 */
export type Organization = Schemas['Organization'];
export type OrgSummary = Organization;
export type Member = Schemas['Member'];
export type Invitation = Schemas['Invitation'];
export type ApiKey = Schemas['ApiKey'];
export type AuditEntry = Schemas['AuditEntry'];
export type Session = Schemas['Session'];
export type OutboxMail = ListItem<ApiResponse<'/api/v1/dev/outbox'>>;
type AuditPage = ApiResponse<'/api/v1/audit-log'>;
type InvitationPreview = ApiResponse<'/api/v1/invitations/{token}'>;

interface List<T> {
  data: T[];
}

export const profileQuery = () =>
  queryOptions({ queryKey: queryKeys.profile(), queryFn: () => api<Profile>('/api/v1/users/profile', { orgId: null }) });

export const organizationsQuery = () =>
  queryOptions({
    queryKey: queryKeys.organizations.list(),
    queryFn: async () => (await api<List<OrgSummary>>('/api/v1/organizations', { orgId: null })).data,
  });

export const organizationQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.organizations.detail(orgId),
    queryFn: () => api<Organization>(`/api/v1/organizations/${orgId}`, { orgId }),
  });

export const membersQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.members.list(orgId),
    queryFn: async () => (await api<List<Member>>(`/api/v1/organizations/${orgId}/members`, { orgId })).data,
  });

export const invitationsQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.invitations.list(orgId),
    queryFn: async () => (await api<List<Invitation>>(`/api/v1/organizations/${orgId}/invitations`, { orgId })).data,
  });

export const apiKeysQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.apiKeys.list(orgId),
    queryFn: async () => (await api<List<ApiKey>>('/api/v1/api-keys', { orgId })).data,
  });

export const auditLogQuery = (orgId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.auditLog.list(orgId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '25' });
      if (pageParam) qs.set('cursor', pageParam);
      return api<AuditPage>(`/api/v1/audit-log?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
  });

export const sessionsQuery = () =>
  queryOptions({
    queryKey: queryKeys.sessions(),
    queryFn: async () => (await api<List<Session>>('/api/v1/auth/sessions', { orgId: null })).data,
  });

export const backupCodesQuery = () =>
  queryOptions({
    queryKey: queryKeys.backupCodes(),
    queryFn: () => api<ApiResponse<'/api/v1/auth/2fa/backup-codes'>>('/api/v1/auth/2fa/backup-codes', { orgId: null }),
  });

export const invitationPreviewQuery = (token: string) =>
  queryOptions({
    queryKey: queryKeys.invitations.preview(token),
    queryFn: () =>
      api<InvitationPreview>(`/api/v1/invitations/${encodeURIComponent(token)}`, { orgId: null }),
    retry: false,
  });

/** The dev outbox exists only in the local runtime; a 404 means "hide it", not an error. */
export const devOutboxAvailableQuery = () =>
  queryOptions({
    queryKey: queryKeys.devOutbox.available(),
    queryFn: async () => {
      try {
        await api('/api/v1/dev/outbox?limit=1', { orgId: null });
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status < 500) return false;
        throw e;
      }
    },
    staleTime: Infinity,
    retry: false,
  });

/** The signed-in user's own mail: the server never lists anyone else's. */
export const devOutboxQuery = () =>
  queryOptions({
    queryKey: queryKeys.devOutbox.mine(),
    queryFn: async () => (await api<List<OutboxMail>>('/api/v1/dev/outbox', { orgId: null })).data,
  });

// ---- Knowledge ----------------------------------------------------------------------------

export type KnowledgeBase = Schemas['KnowledgeBase'];
export type ChunkingStrategy = Schemas['ChunkingSettings']['strategy'];
export type RetrievalMode = Schemas['RetrievalSettings']['mode'];
export type KnowledgeDocument = Schemas['Document'];
export type DocumentStatus = KnowledgeDocument['status'];
export type DocumentSource = KnowledgeDocument['source'];
export type RefreshSchedule = NonNullable<KnowledgeDocument['refreshSchedule']>;
type EmbeddingModels = ApiResponse<'/api/v1/knowledge-bases/embedding-models'>;
export type EmbeddingModel = ListItem<EmbeddingModels>;
export type KnowledgeChunk = Schemas['Chunk'];
export type ChunkLocation = KnowledgeChunk['location'];
export type SearchHit = Schemas['SearchHit'];
/** How hybrid search weighs its two lists for a knowledge base's embedding model. */
export type FusionProfile = Schemas['FusionProfile'];
type DocumentPage = ApiResponse<'/api/v1/knowledge-bases/{kb_id}/documents'>;
type ChunkPage = ApiResponse<'/api/v1/knowledge-bases/{kb_id}/documents/{doc_id}/chunks'>;

export interface DocumentFilters {
  status?: DocumentStatus;
  q?: string;
  parentId?: string;
}

const kbPath = (kbId: string) => `/api/v1/knowledge-bases/${encodeURIComponent(kbId)}`;
export const knowledgeApi = {
  bases: '/api/v1/knowledge-bases',
  base: kbPath,
  documents: (kbId: string) => `${kbPath(kbId)}/documents`,
  document: (kbId: string, docId: string) => `${kbPath(kbId)}/documents/${encodeURIComponent(docId)}`,
};

/** True while the pipeline still works on it: lists poll only then. */
export const isInProgress = (d: Pick<KnowledgeDocument, 'status'>) => d.status === 'pending' || d.status === 'processing';
const POLL_MS = 1500;

export const knowledgeBasesQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.knowledgeBases.all(orgId),
    queryFn: async () => (await api<List<KnowledgeBase>>(knowledgeApi.bases, { orgId })).data,
  });

export const knowledgeBaseQuery = (orgId: string, kbId: string) =>
  queryOptions({
    queryKey: queryKeys.knowledgeBases.detail(orgId, kbId),
    queryFn: () => api<KnowledgeBase>(knowledgeApi.base(kbId), { orgId }),
  });

export const embeddingModelsQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.embeddingModels.list(orgId),
    queryFn: () => api<EmbeddingModels>(`${knowledgeApi.bases}/embedding-models`, { orgId }),
    staleTime: 5 * 60_000,
  });

export const documentsQuery = (orgId: string, kbId: string, filters: DocumentFilters = {}) =>
  infiniteQueryOptions({
    queryKey: queryKeys.documents.list(orgId, kbId, filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '50' });
      if (filters.status) qs.set('status', filters.status);
      if (filters.q) qs.set('q', filters.q);
      if (filters.parentId) qs.set('parent_id', filters.parentId);
      if (pageParam) qs.set('cursor', pageParam);
      return api<DocumentPage>(`${knowledgeApi.documents(kbId)}?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.data.some(isInProgress)) ? POLL_MS : false,
  });

export const documentQuery = (orgId: string, kbId: string, docId: string) =>
  queryOptions({
    queryKey: queryKeys.documents.detail(orgId, kbId, docId),
    queryFn: () => api<KnowledgeDocument>(knowledgeApi.document(kbId, docId), { orgId }),
    refetchInterval: (query) => (query.state.data && isInProgress(query.state.data) ? POLL_MS : false),
  });

export const chunksQuery = (orgId: string, kbId: string, docId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.documents.chunks(orgId, kbId, docId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '20' });
      if (pageParam) qs.set('cursor', pageParam);
      return api<ChunkPage>(`${knowledgeApi.document(kbId, docId)}/chunks?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
  });

// ---- Chatbots ------------------------------------------------------------------------------

export type Bot = Schemas['Chatbot'];
export type BotStatus = Bot['status'];
export type BotType = Bot['type'];
export type Personality = Bot['personality'];
export type BotLanguage = Bot['language'];
type ChatModels = ApiResponse<'/api/v1/models'>;
export type ChatModel = ListItem<ChatModels>;
export type ModelProvider = ChatModel['provider'];
export const BOT_STATUSES: BotStatus[] = ['draft', 'active', 'inactive', 'archived'];

export type WidgetLook = Schemas['WidgetLook'];
export type PreChatField = Bot['preChatForm'][number];

/** Everything an admin edits; the same object as `/chatbots/{id}/config`. */
export type BotSettings = ApiResponse<'/api/v1/chatbots/{chatbot_id}/config'>;
export type Schedule = Schemas['ScheduleInterval'];
type Schedules = ApiResponse<'/api/v1/chatbots/{chatbot_id}/schedules'>;

export interface BotFilters {
  status?: BotStatus;
  q?: string;
}

/** The offline answerer that quotes the knowledge base; the UI names it explicitly everywhere. */
export const EXTRACTIVE_MODEL = 'builtin:extractive';

const botPath = (botId: string) => `/api/v1/chatbots/${encodeURIComponent(botId)}`;
export const chatbotApi = {
  bots: '/api/v1/chatbots',
  bot: botPath,
  deploy: (botId: string) => `${botPath(botId)}/deploy`,
  test: (botId: string) => `${botPath(botId)}/test`,
  schedules: (botId: string) => `${botPath(botId)}/schedules`,
  schedule: (botId: string, id: string) => `${botPath(botId)}/schedules/${encodeURIComponent(id)}`,
  identitySecret: (botId: string) => `${botPath(botId)}/identity-secret`,
  models: (botId: string) => `${botPath(botId)}/models`,
  model: (botId: string, id: string) => `${botPath(botId)}/models/${encodeURIComponent(id)}`,
  routing: (botId: string) => `${botPath(botId)}/routing`,
};

export const botsQuery = (orgId: string, filters: BotFilters = {}) =>
  queryOptions({
    queryKey: queryKeys.chatbots.list(orgId, filters),
    queryFn: async () => {
      const qs = new URLSearchParams();
      if (filters.status) qs.set('status', filters.status);
      if (filters.q) qs.set('q', filters.q);
      const query = qs.toString();
      return (await api<List<Bot>>(chatbotApi.bots + (query ? `?${query}` : ''), { orgId })).data;
    },
  });

export const botQuery = (orgId: string, botId: string) =>
  queryOptions({
    queryKey: queryKeys.chatbots.detail(orgId, botId),
    queryFn: () => api<Bot>(chatbotApi.bot(botId), { orgId }),
  });

export const chatModelsQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.chatModels.list(orgId),
    queryFn: () => api<ChatModels>('/api/v1/models', { orgId }),
    staleTime: 5 * 60_000,
  });

/** Providers an organization can bring its own key for (the built-in extractive model needs none). */
export type KeyedProvider = Exclude<ModelProvider, 'builtin'>;
export const KEYED_PROVIDERS: KeyedProvider[] = ['openai', 'groq', 'compatible'];

/** An organization's own provider key; the key itself is never returned, only its last characters. */
export type ProviderKey = Schemas['ProviderKey'];

/** OpenAI-compatible services that need only a key; `available` is false for local ones on a hosted deployment. */
export type ProviderPreset = Schemas['ProviderPreset'];

export const providerPresetsQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.providerKeys.presets(orgId),
    queryFn: async () => (await api<List<ProviderPreset>>('/api/v1/provider-keys/presets', { orgId })).data,
    staleTime: 10 * 60_000,
  });

/** A bot's toolbox of models by task, with its routing rule. */
export type BotModel = Schemas['BotModel'];
export type ModelRouting = Schemas['ModelRouting'];
export type RoutingRule = Schemas['RoutingRule'];

export const botModelsQuery = (orgId: string, botId: string) =>
  queryOptions({
    queryKey: queryKeys.chatbots.models(orgId, botId),
    queryFn: () => api<{ data: BotModel[]; routing: ModelRouting }>(chatbotApi.models(botId), { orgId }),
  });

export const providerKeysQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.providerKeys.list(orgId),
    queryFn: async () => (await api<List<ProviderKey>>('/api/v1/provider-keys', { orgId })).data,
  });

export const schedulesQuery = (orgId: string, botId: string) =>
  queryOptions({
    queryKey: queryKeys.chatbots.schedules(orgId, botId),
    queryFn: () => api<Schedules>(chatbotApi.schedules(botId), { orgId }),
  });

export const identitySecretQuery = (orgId: string, botId: string) =>
  queryOptions({
    queryKey: queryKeys.chatbots.identitySecret(orgId, botId),
    queryFn: () => api<ApiResponse<'/api/v1/chatbots/{chatbot_id}/identity-secret'>>(chatbotApi.identitySecret(botId), { orgId }),
    staleTime: Infinity,
  });
