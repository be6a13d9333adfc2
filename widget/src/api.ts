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

export interface WidgetConfig {
  botId: string;
  name: string;
  language: string;
  welcomeMessage: string | null;
  online: boolean;
  outOfHoursMessage: string | null;
  widget: WidgetLook;
  preChatForm: PreChatField[];
  requireIdentity: boolean;
}

export interface Source {
  title: string;
  section?: string;
  url?: string;
  documentId: string;
  chunkId: string;
  score: number;
  page?: number;
}

export interface Message {
  id: string;
  role: 'user' | 'assistant' | 'agent' | 'system';
  content: string;
  createdAt: string;
  sources?: Source[];
  feedback?: 1 | -1 | null;
  /** Buttons under a bot message (the offer of a person); a tap sends the label with the id. */
  quickReplies?: Array<{ id: string; label: string }>;
  /** An agent's reply: who wrote it. */
  author?: { name: string };
}

export interface Identity {
  id: string;
  name?: string;
  email?: string;
  hash?: string;
}

export interface Session {
  sessionToken: string;
  conversationId: string;
  contact: { name: string | null; email: string | null; verified: boolean };
  messages: Message[];
}

/** status 0 means the request never got an answer (offline, DNS, CORS refusal, aborted). */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public retryAfter?: number,
  ) {
    super(message);
  }
}

export type Api = ReturnType<typeof createApi>;

export function createApi(base: string, botId: string) {
  const root = `${base.replace(/\/+$/, '')}/api/v1/widget/${encodeURIComponent(botId)}`;

  async function call(path: string, opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let res: Response;
    try {
      res = await fetch(root + path, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        credentials: 'omit',
      });
    } catch (e) {
      throw new ApiError(0, 'network', String(e));
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    const err = body?.error ?? {};
    const retry = Number(res.headers.get('Retry-After'));
    throw new ApiError(res.status, err.code ?? 'http_' + res.status, err.message ?? res.statusText, retry || undefined);
  }
  const json = <T>(res: Response) => res.json() as Promise<T>;

  return {
    config: (): Promise<WidgetConfig> => call('/config').then(json<WidgetConfig>),
    session: (body: { sessionToken?: string; identity?: Identity; preChat?: Record<string, string> }): Promise<Session> =>
      call('/session', { method: 'POST', body }).then(json<Session>),
    chat: (token: string, message: string, quickReply?: string) => call('/chat', { method: 'POST', token, body: quickReply ? { message, quickReply } : { message } }),
    events: (token: string, lastEventId: string, signal: AbortSignal) =>
      call('/events', { token, signal, headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {} }),
    feedback: (token: string, messageId: string, value: 1 | -1) => call('/feedback', { method: 'POST', token, body: { messageId, value } }),
    rating: (token: string, rating: number, comment?: string) => call('/rating', { method: 'POST', token, body: { rating, comment } }),
  };
}
