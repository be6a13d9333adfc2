/**
 * The dashboard's live connection: ONE Server-Sent Events stream per organization for the whole
 * app (GET /api/v1/events), read with fetch because it needs the Authorization header. It keeps
 * TanStack Query fresh (inbox lists, counts, the open thread, knowledge documents) and lets any
 * component subscribe to the raw events.
 *
 * Mount `useLiveEvents()` (or `<LiveEventsProvider />`) once under the signed-in layout. Extra
 * mounts share the same connection (it is reference counted), so a page may mount it too.
 *
 * The server ends each response after a while: we reconnect at once with `Last-Event-ID` (nothing
 * is lost), and back off exponentially (1 s … 30 s, jittered) after errors, resyncing the inbox
 * when we come back.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { getAccessToken, refreshAccessToken } from './api';
import { useCurrentOrgId } from './org';
import type { WebhookEvent } from './queries-webhooks';
import { appendMessage, invalidateInboxLists, patchConversation, type Conversation, type InboxMessage } from './queries-inbox';
import { queryKeys } from './query-keys';

/** The stream carries the same events outgoing webhooks deliver. */
export type LiveEventType = WebhookEvent;

/** The envelope every event carries (the same one outgoing webhooks deliver). */
export interface LiveEvent<T = Record<string, unknown>> {
  id: string;
  type: LiveEventType;
  organizationId: string;
  createdAt: string;
  data: T;
}

/** `data` of message.* events. */
export interface MessageEventData {
  conversationId: string;
  message: Omit<InboxMessage, 'author'> & { authorUserId?: string | null; author?: InboxMessage['author'] };
}

/** `data` of conversation.updated / conversation.handoff. */
export interface ConversationEventData {
  conversationId: string;
  conversation?: Partial<Conversation> & { id?: string };
  changes?: string[];
  reason?: string;
}

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

type Listener = (event: LiveEvent) => void;
const listeners = new Set<Listener>();

/** Every event of the current organization's stream; returns the unsubscribe function. */
export function subscribeLiveEvents(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Subscribes a component to some event types (or all); the latest handler is always called. */
export function useLiveEvent(types: LiveEventType | LiveEventType[] | null, handler: (event: LiveEvent) => void) {
  const ref = useRef(handler);
  ref.current = handler;
  const key = types === null ? '*' : ([] as LiveEventType[]).concat(types).join(',');
  useEffect(() => {
    const wanted = key === '*' ? null : new Set(key.split(','));
    return subscribeLiveEvents((e) => {
      if (!wanted || wanted.has(e.type)) ref.current(e);
    });
  }, [key]);
}

// ---- Status (for a "live / reconnecting" indicator) -------------------------------------------

let status: LiveStatus = 'idle';
const statusListeners = new Set<() => void>();
function setStatus(next: LiveStatus) {
  if (next === status) return;
  status = next;
  statusListeners.forEach((l) => l());
}
export const getLiveStatus = () => status;
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (l) => {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
    getLiveStatus,
    () => 'idle',
  );
}

// ---- The connection --------------------------------------------------------------------------

interface Connection {
  orgId: string;
  queryClient: QueryClient;
  controller: AbortController;
  refs: number;
  lastEventId: string | null;
  releaseTimer: ReturnType<typeof setTimeout> | null;
}

let connection: Connection | null = null;

/** Takes a reference on the organization's connection, opening it if needed. */
function acquire(orgId: string, queryClient: QueryClient): () => void {
  if (connection && (connection.orgId !== orgId || connection.queryClient !== queryClient)) close(connection);
  if (!connection) {
    connection = { orgId, queryClient, controller: new AbortController(), refs: 0, lastEventId: null, releaseTimer: null };
    void run(connection);
  }
  const conn = connection;
  conn.refs++;
  if (conn.releaseTimer) {
    clearTimeout(conn.releaseTimer);
    conn.releaseTimer = null;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    conn.refs--;
    // A short grace period: remounts (StrictMode, layout changes) keep the same stream.
    if (conn.refs <= 0) conn.releaseTimer = setTimeout(() => conn.refs <= 0 && close(conn), 1000);
  };
}

function close(conn: Connection) {
  conn.controller.abort();
  if (conn.releaseTimer) clearTimeout(conn.releaseTimer);
  if (connection === conn) {
    connection = null;
    setStatus('idle');
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

class StreamError extends Error {
  constructor(readonly status: number) {
    super(`event stream answered ${status}`);
  }
}

async function open(conn: Connection): Promise<Response> {
  const send = () => {
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'X-Organization-Id': conn.orgId };
    const token = getAccessToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (conn.lastEventId) headers['Last-Event-ID'] = conn.lastEventId;
    return fetch('/api/v1/events', { headers, credentials: 'same-origin', cache: 'no-store', signal: conn.controller.signal });
  };
  let res = await send();
  // Access tokens are short-lived; the stream outlives them. One refresh, one retry (like api()).
  if (res.status === 401 && (await refreshAccessToken())) res = await send();
  if (!res.ok || !res.body) throw new StreamError(res.status);
  return res;
}

async function run(conn: Connection) {
  const { signal } = conn.controller;
  let delay = 1000;
  let resync = false;
  let first = true;
  while (!signal.aborted && connection === conn) {
    setStatus(first ? 'connecting' : status === 'open' ? 'open' : 'reconnecting');
    try {
      const res = await open(conn);
      await read(res, signal, (block) => {
        if (block.id) conn.lastEventId = block.id;
        if (block.event === 'ready') {
          setStatus('open');
          delay = 1000;
          // After an outage the server replays what it still holds; resync anyway, it is cheap.
          if (resync) conn.queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all(conn.orgId) });
          resync = false;
          return;
        }
        let event: LiveEvent;
        try {
          event = JSON.parse(block.data) as LiveEvent;
        } catch {
          return; // A malformed event is skipped.
        }
        if (!event || typeof event !== 'object' || !event.type) return;
        handle(conn, event);
      });
      first = false;
      // The server closed the response (its time limit): resume right away, nothing is missed.
      await sleep(200 + Math.random() * 300, signal);
    } catch (error) {
      if (signal.aborted) return;
      first = false;
      const code = error instanceof StreamError ? error.status : 0;
      // Signed out, or not a member any more: stop; the next mount starts again.
      if (code === 401 || code === 403 || code === 404) {
        setStatus('idle');
        if (connection === conn) connection = null;
        return;
      }
      setStatus('reconnecting');
      resync = true;
      await sleep(delay * (0.5 + Math.random()), signal);
      delay = Math.min(delay * 2, 30_000);
    }
  }
}

interface SseBlock {
  id?: string;
  event: string;
  data: string;
}

async function read(res: Response, signal: AbortSignal, onBlock: (block: SseBlock) => void) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      buffer += value;
      let end: RegExpExecArray | null;
      while ((end = /\r?\n\r?\n/.exec(buffer))) {
        const block = parseBlock(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
        if (block) onBlock(block);
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function parseBlock(text: string): SseBlock | null {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && !id) return null;
  return { id, event, data: data.join('\n') };
}

/** What every event does to the cache, before subscribers see it. */
function handle(conn: Connection, event: LiveEvent) {
  const { queryClient, orgId } = conn;
  try {
    switch (event.type) {
      case 'message.created':
      case 'message.updated':
      case 'message.failed': {
        const { conversationId, message } = event.data as unknown as MessageEventData;
        if (conversationId && message?.id) {
          const { authorUserId, ...rest } = message;
          appendMessage(queryClient, orgId, conversationId, {
            ...rest,
            author: message.author ?? (authorUserId ? { id: authorUserId, name: null } : null),
          } as InboxMessage);
          // The live copy lacks the author's name; the refetch brings it.
          void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.messages(orgId, conversationId) });
          void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.detail(orgId, conversationId) });
        }
        invalidateInboxLists(queryClient, orgId);
        break;
      }
      case 'conversation.created':
        invalidateInboxLists(queryClient, orgId);
        void queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(orgId) });
        break;
      case 'conversation.updated':
      case 'conversation.handoff': {
        const { conversationId, conversation } = event.data as unknown as ConversationEventData;
        if (conversationId) {
          if (conversation) {
            // Only the fields it carries (a read marker carries just the unread count).
            const { id: _id, messages: _m, ...patch } = conversation as Partial<Conversation> & { id?: string; messages?: unknown };
            patchConversation(queryClient, orgId, conversationId, patch);
          }
          void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.detail(orgId, conversationId) });
        }
        invalidateInboxLists(queryClient, orgId);
        break;
      }
      case 'document.ready':
      case 'document.failed':
        void queryClient.invalidateQueries({ queryKey: queryKeys.documents.all(orgId) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(orgId) });
        break;
    }
  } catch (error) {
    console.error('live event handling failed', error);
  }
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      console.error('live event listener failed', error);
    }
  }
}

/** Keeps the current organization's live connection open while mounted (shared, see above). */
export function useLiveEvents() {
  const orgId = useCurrentOrgId();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!orgId) return;
    return acquire(orgId, queryClient);
  }, [orgId, queryClient]);
}

/** The same as `useLiveEvents()` as an element: `<LiveEventsProvider />` or wrapping children. */
export function LiveEventsProvider({ children }: { children?: ReactNode }) {
  useLiveEvents();
  return children ?? null;
}
