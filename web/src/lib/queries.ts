/** queryOptions factories, one per resource; keys carry the ids they depend on. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, ApiError } from './api';

export type Role = 'owner' | 'admin' | 'agent' | 'viewer';
export const ROLES: Role[] = ['owner', 'admin', 'agent', 'viewer'];
const RANK: Record<Role, number> = { viewer: 1, agent: 2, admin: 3, owner: 4 };
export const hasRole = (role: Role | undefined, atLeast: Role) => !!role && RANK[role] >= RANK[atLeast];

export interface User {
  id: string;
  email: string;
  name: string;
  locale?: 'es' | 'en';
  emailVerified?: boolean;
  twoFactorEnabled?: boolean;
}

export interface Profile extends User {
  phone: string | null;
  avatarUrl: string | null;
  locale: 'es' | 'en';
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  createdAt: string;
  organizations: { id: string; name: string; slug: string; role: Role }[];
}

export interface OrgSummary {
  id: string;
  name: string;
  slug: string;
  role: Role;
  timezone: string;
  language: string;
  createdAt: string;
}

export interface Organization extends OrgSummary {
  description?: string | null;
  website?: string | null;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  id: string;
  action: string;
  actor: { id: string; name: string; email: string } | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  metadata: unknown;
  createdAt: string;
}

export interface Session {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  current: boolean;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  createdAt: string;
}

interface List<T> {
  data: T[];
}

export const profileQuery = () =>
  queryOptions({ queryKey: ['profile'], queryFn: () => api<Profile>('/api/v1/users/profile', { orgId: null }) });

export const organizationsQuery = () =>
  queryOptions({
    queryKey: ['organizations'],
    queryFn: async () => (await api<List<OrgSummary>>('/api/v1/organizations', { orgId: null })).data,
  });

export const organizationQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['organization', { orgId }],
    queryFn: () => api<Organization>(`/api/v1/organizations/${orgId}`, { orgId }),
  });

export const membersQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['members', { orgId }],
    queryFn: async () => (await api<List<Member>>(`/api/v1/organizations/${orgId}/members`, { orgId })).data,
  });

export const invitationsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['invitations', { orgId }],
    queryFn: async () => (await api<List<Invitation>>(`/api/v1/organizations/${orgId}/invitations`, { orgId })).data,
  });

export const apiKeysQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['api-keys', { orgId }],
    queryFn: async () => (await api<List<ApiKey>>('/api/v1/api-keys', { orgId })).data,
  });

export const auditLogQuery = (orgId: string) =>
  infiniteQueryOptions({
    queryKey: ['audit-log', { orgId }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '25' });
      if (pageParam) qs.set('cursor', pageParam);
      return api<{ data: AuditEntry[]; nextCursor: string | null }>(`/api/v1/audit-log?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
  });

export const sessionsQuery = () =>
  queryOptions({
    queryKey: ['sessions'],
    queryFn: async () => (await api<List<Session>>('/api/v1/auth/sessions', { orgId: null })).data,
  });

export const backupCodesQuery = () =>
  queryOptions({
    queryKey: ['backup-codes'],
    queryFn: () => api<{ remaining: number }>('/api/v1/auth/2fa/backup-codes', { orgId: null }),
  });

export const invitationPreviewQuery = (token: string) =>
  queryOptions({
    queryKey: ['invitation-preview', { token }],
    queryFn: () =>
      api<{ organizationName: string; email: string; role: Role; expiresAt: string }>(
        `/api/v1/invitations/${encodeURIComponent(token)}`,
        { orgId: null },
      ),
    retry: false,
  });

/** The dev outbox exists only in the local runtime; a 404 means "hide it", not an error. */
export const devOutboxAvailableQuery = () =>
  queryOptions({
    queryKey: ['dev-outbox', 'available'],
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
    queryKey: ['dev-outbox', 'mine'],
    queryFn: async () => (await api<List<OutboxMail>>('/api/v1/dev/outbox', { orgId: null })).data,
  });

// ---- Knowledge ----------------------------------------------------------------------------

export type ChunkingStrategy = 'structure' | 'fixed' | 'qa';
export type RetrievalMode = 'hybrid' | 'vector' | 'fulltext';
export type DocumentStatus = 'pending' | 'processing' | 'ready' | 'failed';
export type DocumentSource = 'file' | 'url' | 'website' | 'text' | 'qa';
export type RefreshSchedule = 'daily' | 'weekly';

export interface KnowledgeBase {
  id: string;
  name: string;
  description: string | null;
  embeddingModel: string;
  embeddingDimension: number;
  chunking: { strategy: ChunkingStrategy; chunkSize: number; chunkOverlap: number };
  retrieval: { mode: RetrievalMode; topK: number; scoreThreshold: number };
  documentCount: number;
  chunkCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface EmbeddingModel {
  id: string;
  label: string;
  dimension: number;
  available: boolean;
  /** Why it cannot be used (e.g. missing provider key), when the API says. */
  reason?: string;
}

export interface KnowledgeDocument {
  id: string;
  knowledgeBaseId: string;
  parentId: string | null;
  name: string;
  source: DocumentSource;
  sourceUrl: string | null;
  mimeType: string | null;
  sizeBytes: number;
  status: DocumentStatus;
  error: string | null;
  pageCount: number | null;
  chunkCount: number;
  chunksDone: number;
  tokenCount: number;
  refreshSchedule: RefreshSchedule | null;
  lastRefreshedAt: string | null;
  createdAt: string;
  updatedAt: string;
  crawl?: { pagesFound: number; pagesDone: number; pagesFailed: number; maxPages: number; maxDepth: number };
}

export interface ChunkLocation {
  page?: number;
  headings?: string[];
  url?: string;
}

export interface KnowledgeChunk {
  id: string;
  position: number;
  content: string;
  tokenCount: number;
  location: ChunkLocation;
}

export interface SearchHit {
  chunkId: string;
  documentId: string;
  documentName: string;
  knowledgeBaseId: string;
  position: number;
  content: string;
  location: ChunkLocation;
  score: number;
  retrievers: ('vector' | 'fulltext')[];
  vectorScore?: number;
  fulltextScore?: number;
  /** Why this rank: each retriever's rank and its part of the fused score. */
  why?: { method: 'rrf' | 'convex'; fulltextRank?: number; vectorRank?: number; fulltextPart: number; vectorPart: number };
  sourceUrl?: string | null;
}

/** How hybrid search weighs its two lists for a knowledge base's embedding model. */
export interface FusionProfile {
  kind: 'lexical' | 'semantic' | 'custom';
  method: 'rrf' | 'convex';
  k: number;
  fulltextWeight: number;
  vectorWeight: number;
  reason: string;
}

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
    queryKey: ['knowledge-bases', { orgId }],
    queryFn: async () => (await api<List<KnowledgeBase>>(knowledgeApi.bases, { orgId })).data,
  });

export const knowledgeBaseQuery = (orgId: string, kbId: string) =>
  queryOptions({
    queryKey: ['knowledge-bases', { orgId, kbId }],
    queryFn: () => api<KnowledgeBase>(knowledgeApi.base(kbId), { orgId }),
  });

export const embeddingModelsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['embedding-models', { orgId }],
    queryFn: () => api<{ data: EmbeddingModel[]; defaultModel: string }>(`${knowledgeApi.bases}/embedding-models`, { orgId }),
    staleTime: 5 * 60_000,
  });

export const documentsQuery = (orgId: string, kbId: string, filters: DocumentFilters = {}) =>
  infiniteQueryOptions({
    queryKey: ['knowledge-documents', { orgId, kbId }, filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '50' });
      if (filters.status) qs.set('status', filters.status);
      if (filters.q) qs.set('q', filters.q);
      if (filters.parentId) qs.set('parent_id', filters.parentId);
      if (pageParam) qs.set('cursor', pageParam);
      return api<{ data: KnowledgeDocument[]; nextCursor: string | null }>(`${knowledgeApi.documents(kbId)}?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.data.some(isInProgress)) ? POLL_MS : false,
  });

export const documentQuery = (orgId: string, kbId: string, docId: string) =>
  queryOptions({
    queryKey: ['knowledge-documents', { orgId, kbId }, { docId }],
    queryFn: () => api<KnowledgeDocument>(knowledgeApi.document(kbId, docId), { orgId }),
    refetchInterval: (query) => (query.state.data && isInProgress(query.state.data) ? POLL_MS : false),
  });

export const chunksQuery = (orgId: string, kbId: string, docId: string) =>
  infiniteQueryOptions({
    queryKey: ['knowledge-chunks', { orgId, kbId, docId }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ limit: '20' });
      if (pageParam) qs.set('cursor', pageParam);
      return api<{ data: KnowledgeChunk[]; nextCursor: string | null }>(`${knowledgeApi.document(kbId, docId)}/chunks?${qs}`, { orgId });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
  });

// ---- Chatbots ------------------------------------------------------------------------------

export type BotStatus = 'draft' | 'active' | 'inactive' | 'archived';
export type BotType = 'ai' | 'auto';
export type Personality = 'professional' | 'friendly' | 'concise' | 'playful';
export type BotLanguage = 'es' | 'en' | 'auto';
export type ModelProvider = 'builtin' | 'openai' | 'groq' | 'compatible';
export const BOT_STATUSES: BotStatus[] = ['draft', 'active', 'inactive', 'archived'];

export interface WidgetLook {
  title?: string;
  avatarUrl?: string;
  primaryColor?: string;
  position?: 'bottom-right' | 'bottom-left';
  launcherText?: string;
  theme?: 'light' | 'dark' | 'auto';
}

export interface PreChatField {
  key: string;
  label: string;
  type: 'text' | 'email' | 'phone' | 'select';
  required: boolean;
  options?: string[];
}

/** Everything an admin edits; the same object as `/chatbots/{id}/config`. */
export interface BotSettings {
  name: string;
  slug: string;
  description: string | null;
  type: BotType;
  model: string;
  fallbackModel: string | null;
  systemPrompt: string;
  temperature: number;
  maxTokens: number;
  personality: Personality;
  language: BotLanguage;
  welcomeMessage: string | null;
  fallbackMessage: string | null;
  autoReply: string | null;
  outOfHoursMessage: string | null;
  answerOutsideHours: boolean;
  memorySize: number;
  retrievalTopK: number;
  retrievalThreshold: number;
  answerOnlyFromKnowledge: boolean;
  widget: WidgetLook;
  preChatForm: PreChatField[];
  allowedOrigins: string[];
  knowledgeBaseIds: string[];
}

export interface Bot extends BotSettings {
  id: string;
  status: BotStatus;
  conversationCount: number;
  createdAt: string;
  updatedAt: string;
  deployedAt: string | null;
}

export interface ChatModel {
  id: string;
  provider: ModelProvider;
  label: string;
  available: boolean;
}

export interface Schedule {
  id: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  opensAt: string;
  closesAt: string;
}

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
};

export const botsQuery = (orgId: string, filters: BotFilters = {}) =>
  queryOptions({
    queryKey: ['bots', { orgId }, filters],
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
    queryKey: ['bots', { orgId, botId }],
    queryFn: () => api<Bot>(chatbotApi.bot(botId), { orgId }),
  });

export const chatModelsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['chat-models', { orgId }],
    queryFn: () => api<{ data: ChatModel[]; defaultModel: string }>('/api/v1/models', { orgId }),
    staleTime: 5 * 60_000,
  });

/** Providers an organization can bring its own key for (the built-in extractive model needs none). */
export type KeyedProvider = Exclude<ModelProvider, 'builtin'>;
export const KEYED_PROVIDERS: KeyedProvider[] = ['openai', 'groq', 'compatible'];

/** An organization's own provider key; the key itself is never returned, only its last characters. */
export interface ProviderKey {
  provider: KeyedProvider;
  keyHint: string;
  baseUrl: string | null;
  models: string[];
  updatedAt: string;
}

export const providerKeysQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['provider-keys', { orgId }],
    queryFn: async () => (await api<List<ProviderKey>>('/api/v1/provider-keys', { orgId })).data,
  });

export const schedulesQuery = (orgId: string, botId: string) =>
  queryOptions({
    queryKey: ['bot-schedules', { orgId, botId }],
    queryFn: () => api<{ data: Schedule[]; timezone: string }>(chatbotApi.schedules(botId), { orgId }),
  });

export const identitySecretQuery = (orgId: string, botId: string) =>
  queryOptions({
    queryKey: ['bot-identity-secret', { orgId, botId }],
    queryFn: () => api<{ secret: string }>(chatbotApi.identitySecret(botId), { orgId }),
    staleTime: Infinity,
  });
