/**
 * The inbox's queries and mutations: conversations (list, counts, detail, messages) and canned
 * responses. Keys (query-keys.ts) all start with `['conversations', { orgId }]` so one prefix invalidates the lot;
 * the live event stream (live-events.ts) invalidates the narrower keys below.
 */
import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, getAccessToken, refreshAccessToken } from './api';
import type { ApiBody, ApiQuery, ApiResponse, Schemas } from './api-contract';
import type { TFunction } from './i18n';
import { OWN_ERROR } from './mutation-errors';
import { queryKeys } from './query-keys';
import { saveBlob } from './download';

export type Conversation = Schemas['Conversation'];
export type ConversationStatus = Conversation['status'];
export type Priority = Conversation['priority'];
export type Handoff = Conversation['handoff'];
export type Channel = NonNullable<ApiQuery<'/api/v1/conversations'>['channel']>;
export type ExportFormat = NonNullable<ApiQuery<'/api/v1/conversations/{conversation_id}/export'>['format']>;
export type Contact = Conversation['contact'];

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const satisfies readonly ConversationStatus[];
export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const satisfies readonly Priority[];
export const CHANNELS = ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api', 'email', 'slack', 'discord'] as const satisfies readonly Channel[];
export const HANDOFF_STATES = ['bot', 'requested', 'human'] as const satisfies readonly Handoff[];
export const EXPORT_FORMATS = ['json', 'csv', 'txt'] as const satisfies readonly ExportFormat[];

export type InboxMessage = Schemas['Message'] & {
  /** Set on a message shown before the server confirmed it. */
  pending?: boolean;
};
export type MessageSource = InboxMessage['sources'][number];
export type MessageRole = InboxMessage['role'];
export type InboxCounts = ApiResponse<'/api/v1/conversations/counts'>;
export type CannedResponse = Schemas['CannedResponse'];

/** The list's server-side filters (what GET /conversations understands). */
export interface ConversationFilters {
  status?: ConversationStatus;
  channel?: Channel;
  botId?: string;
  assignee?: 'me' | 'unassigned' | (string & {});
  tag?: string;
  priority?: Priority;
  handoff?: Handoff;
  unread?: boolean;
  q?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const base = '/api/v1/conversations';
export const inboxApi = {
  list: base,
  counts: `${base}/counts`,
  conversation: (id: string) => `${base}/${encodeURIComponent(id)}`,
  messages: (id: string) => `${base}/${encodeURIComponent(id)}/messages`,
  canned: '/api/v1/canned-responses',
  cannedOne: (id: string) => `/api/v1/canned-responses/${encodeURIComponent(id)}`,
};


export function filtersToQuery(filters: ConversationFilters) {
  const qs = new URLSearchParams();
  if (filters.status) qs.set('status', filters.status);
  if (filters.channel) qs.set('channel', filters.channel);
  if (filters.botId) qs.set('bot_id', filters.botId);
  if (filters.assignee) qs.set('assignee', filters.assignee);
  if (filters.tag) qs.set('tag', filters.tag);
  if (filters.priority) qs.set('priority', filters.priority);
  if (filters.handoff) qs.set('handoff', filters.handoff);
  if (filters.unread !== undefined) qs.set('unread', String(filters.unread));
  if (filters.q?.trim()) qs.set('q', filters.q.trim());
  return qs;
}

const LIST_PAGE = 25;

export const conversationsQuery = (orgId: string, filters: ConversationFilters) =>
  infiniteQueryOptions({
    queryKey: queryKeys.conversations.list(orgId, filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const qs = filtersToQuery(filters);
      qs.set('limit', String(LIST_PAGE));
      if (pageParam) qs.set('cursor', pageParam);
      return api<Page<Conversation>>(`${inboxApi.list}?${qs}`, { orgId, signal });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
    // The live stream keeps it fresh; this is the safety net while it reconnects.
    refetchInterval: 60_000,
  });

/** A small list (first page only), e.g. the bell's "waiting for a person". */
export const conversationsPreviewQuery = (orgId: string, filters: ConversationFilters, limit = 20) =>
  queryOptions({
    queryKey: queryKeys.conversations.preview(orgId, filters, limit),
    queryFn: ({ signal }) => {
      const qs = filtersToQuery(filters);
      qs.set('limit', String(limit));
      return api<Page<Conversation>>(`${inboxApi.list}?${qs}`, { orgId, signal });
    },
  });

export const inboxCountsQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.conversations.counts(orgId),
    queryFn: ({ signal }) => api<InboxCounts>(inboxApi.counts, { orgId, signal }),
    refetchInterval: 60_000,
  });

export const conversationQuery = (orgId: string, id: string) =>
  queryOptions({
    queryKey: queryKeys.conversations.detail(orgId, id),
    queryFn: async ({ signal }) => {
      // The detail also carries (up to 1000) messages; the thread pages them on its own.
      const { messages: _messages, ...conversation } = await api<ApiResponse<'/api/v1/conversations/{conversation_id}'>>(inboxApi.conversation(id), {
        orgId,
        signal,
      });
      return conversation as Conversation;
    },
  });

const MESSAGE_PAGE = 50;

/** Pages newest first; each page's `data` is oldest first. */
export const messagesQuery = (orgId: string, id: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.conversations.messages(orgId, id),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const qs = new URLSearchParams({ limit: String(MESSAGE_PAGE) });
      if (pageParam) qs.set('cursor', pageParam);
      return api<Page<InboxMessage>>(`${inboxApi.messages(id)}?${qs}`, { orgId, signal });
    },
    getNextPageParam: (last) => last.nextCursor ?? null,
  });

export const cannedResponsesQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.cannedResponses.list(orgId),
    queryFn: async ({ signal }) => (await api<{ data: CannedResponse[] }>(inboxApi.canned, { orgId, signal })).data,
    staleTime: 5 * 60_000,
  });

/** An unfiltered peek: does this organization have any conversation at all (for the empty state)? */
export const anyConversationQuery = (orgId: string) =>
  queryOptions({
    queryKey: queryKeys.conversations.any(orgId),
    queryFn: async ({ signal }) => (await api<Page<Conversation>>(`${inboxApi.list}?limit=1`, { orgId, signal })).data.length > 0,
  });

/** A person's display name, or "Visitor 1A2B" (from the contact id) when they gave none. */
export function contactName(c: { contact: Contact }, t: TFunction) {
  const { contact } = c;
  return contact.name?.trim() || contact.email?.trim() || contact.phone?.trim() || t('inbox.visitor', { id: contact.id.slice(0, 4).toUpperCase() });
}

// ---- Cache helpers ---------------------------------------------------------------------------

/** Messages in display order (oldest first) from the infinite query's pages. */
export function flattenMessages(data: InfiniteData<Page<InboxMessage>> | undefined): InboxMessage[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: InboxMessage[] = [];
  for (const page of [...data.pages].reverse()) {
    for (const m of page.data) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
    }
  }
  return out;
}

/** Adds a message at the end of the thread's cache unless it is there already. */
export function appendMessage(queryClient: QueryClient, orgId: string, conversationId: string, message: InboxMessage) {
  queryClient.setQueryData<InfiniteData<Page<InboxMessage>>>(queryKeys.conversations.messages(orgId, conversationId), (old) => {
    if (!old || old.pages.length === 0) return old;
    if (old.pages.some((p) => p.data.some((m) => m.id === message.id))) {
      // Replace in place (e.g. a live copy without author name by the server's full one).
      return {
        ...old,
        pages: old.pages.map((p) => ({ ...p, data: p.data.map((m) => (m.id === message.id ? { ...m, ...message, author: message.author ?? m.author } : m)) })),
      };
    }
    const [first, ...rest] = old.pages;
    return { ...old, pages: [{ ...first, data: [...first.data, message] }, ...rest] };
  });
}

/** Applies a partial update to a conversation everywhere it is cached (detail and list pages). */
export function patchConversation(queryClient: QueryClient, orgId: string, id: string, patch: Partial<Conversation>) {
  queryClient.setQueryData<Conversation>(queryKeys.conversations.detail(orgId, id), (old) => (old ? { ...old, ...patch } : old));
  const patchPage = (p: Page<Conversation>) => ({ ...p, data: p.data.map((c) => (c.id === id ? { ...c, ...patch } : c)) });
  // Lists are infinite queries ({ pages }) or single pages ({ data }, the bell's preview).
  queryClient.setQueriesData<InfiniteData<Page<Conversation>> | Page<Conversation>>({ queryKey: queryKeys.conversations.lists(orgId) }, (old) => {
    if (!old || typeof old !== 'object') return old;
    if ('pages' in old && Array.isArray(old.pages)) return { ...old, pages: old.pages.map(patchPage) };
    if ('data' in old && Array.isArray(old.data)) return patchPage(old);
    return old;
  });
}

export function invalidateInboxLists(queryClient: QueryClient, orgId: string) {
  void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.lists(orgId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.counts(orgId) });
}

// ---- Mutations -------------------------------------------------------------------------------

export type ConversationChanges = ApiBody<'/api/v1/conversations/{conversation_id}', 'put'>;

/** Everything an agent does to one conversation; each call refreshes the caches it touches. */
export function useConversationActions(orgId: string, id: string) {
  const queryClient = useQueryClient();
  const settle = (updated?: Conversation) => {
    if (updated) {
      queryClient.setQueryData(queryKeys.conversations.detail(orgId, id), updated);
      patchConversation(queryClient, orgId, id, updated);
    }
    invalidateInboxLists(queryClient, orgId);
  };
  const update = useMutation({
    mutationFn: (changes: ConversationChanges) => api<Conversation>(inboxApi.conversation(id), { method: 'PUT', body: changes, orgId }),
    onMutate: (changes) => {
      // Feels instant; the server's answer (or a refetch on error) settles it.
      const patch: Partial<Conversation> = {};
      if (changes.status) patch.status = changes.status;
      if (changes.priority) patch.priority = changes.priority;
      if (changes.tags) patch.tags = changes.tags;
      if (changes.assigneeId !== undefined) patch.assigneeId = changes.assigneeId;
      patchConversation(queryClient, orgId, id, patch);
    },
    onSuccess: settle,
    onError: () => void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all(orgId) }),
  });
  const assign = useMutation({
    mutationFn: (assigneeId: string | null) => api<Conversation>(`${inboxApi.conversation(id)}/assign`, { method: 'POST', body: { assigneeId }, orgId }),
    onSuccess: settle,
  });
  const takeover = useMutation({
    mutationFn: () => api<Conversation>(`${inboxApi.conversation(id)}/takeover`, { method: 'POST', body: {}, orgId }),
    onSuccess: settle,
  });
  const handback = useMutation({
    mutationFn: () => api<Conversation>(`${inboxApi.conversation(id)}/handback`, { method: 'POST', body: {}, orgId }),
    onSuccess: settle,
  });
  const remove = useMutation({
    mutationFn: () => api<void>(inboxApi.conversation(id), { method: 'DELETE', orgId }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: queryKeys.conversations.detail(orgId, id) });
      queryClient.removeQueries({ queryKey: queryKeys.conversations.messages(orgId, id) });
      invalidateInboxLists(queryClient, orgId);
    },
  });
  const send = useMutation({
    // The reply box words its own failure ("could not send: …").
    meta: OWN_ERROR,
    mutationFn: (input: { content: string; private?: boolean }) =>
      api<InboxMessage>(inboxApi.messages(id), { method: 'POST', body: input, orgId }),
    onSuccess: (message) => {
      appendMessage(queryClient, orgId, id, message);
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.detail(orgId, id) });
      invalidateInboxLists(queryClient, orgId);
    },
  });
  return { update, assign, takeover, handback, remove, send };
}

const lastRead = new Map<string, number>();

/** POST /read, at most once a second per conversation; clears the unread badge at once. */
export async function markRead(queryClient: QueryClient, orgId: string, id: string) {
  const now = Date.now();
  if ((lastRead.get(id) ?? 0) > now - 1000) return;
  lastRead.set(id, now);
  patchConversation(queryClient, orgId, id, { unreadCount: 0 });
  try {
    await api(`${inboxApi.conversation(id)}/read`, { method: 'POST', body: {}, orgId });
  } catch {
    // Viewers cannot mark read (agents and up); the badge comes back with the next refetch.
  }
  void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.counts(orgId) });
}

export function useCannedMutations(orgId: string) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.cannedResponses.list(orgId) });
  // Create and update show their errors in the dialog's fields.
  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: (body: { shortcut: string; content: string }) => api<CannedResponse>(inboxApi.canned, { method: 'POST', body, orgId }),
    onSuccess: refresh,
  });
  const update = useMutation({
    meta: OWN_ERROR,
    mutationFn: ({ id, ...body }: { id: string; shortcut: string; content: string }) =>
      api<CannedResponse>(inboxApi.cannedOne(id), { method: 'PUT', body, orgId }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>(inboxApi.cannedOne(id), { method: 'DELETE', orgId }),
    onSuccess: refresh,
  });
  return { create, update, remove };
}

/**
 * Downloads the export as a file: fetch (it needs the bearer token, so no plain link) and a Blob,
 * with the same single refresh-and-retry on 401 as `api()`.
 */
export async function downloadExport(orgId: string, id: string, format: ExportFormat) {
  const send = () =>
    fetch(`${inboxApi.conversation(id)}/export?format=${format}`, {
      headers: { ...(getAccessToken() ? { Authorization: `Bearer ${getAccessToken()}` } : {}), 'X-Organization-Id': orgId },
      credentials: 'same-origin',
    });
  let res = await send();
  if (res.status === 401 && (await refreshAccessToken())) res = await send();
  if (!res.ok) {
    let body: { error?: { code?: string; message?: string } } = {};
    try {
      body = await res.json();
    } catch {
      // Not JSON.
    }
    throw new ApiError({ status: res.status, code: body.error?.code ?? `http_${res.status}`, message: body.error?.message ?? res.statusText });
  }
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `conversation-${id}.${format}`;
  saveBlob(blob, name);
}
