import type { components, paths } from '../../web/src/lib/api-types.gen';

type Schemas = components['schemas'];
type SessionPath = paths['/api/v1/widget/{chatbot_id}/session']['post'];

export type WidgetLook = Schemas['WidgetLook'];
export type PreChatField = Schemas['Chatbot']['preChatForm'][number];

/**
 * The document types the config's `widget` and `preChatForm` as open objects; they are the bot's
 * WidgetLook and pre-chat fields, so the widget reads them as such.
 */
export type WidgetConfig = Omit<Schemas['WidgetConfig'], 'widget' | 'preChatForm'> & {
  widget: WidgetLook;
  preChatForm: PreChatField[];
};

export type Message = Schemas['WidgetMessage'];
export type Source = Message['sources'][number];

/** What the host page says about its signed-in visitor (`VersaAI.identify`), as the session accepts it. */
export type Identity = NonNullable<NonNullable<SessionPath['requestBody']>['content']['application/json']['identity']>;

export type Session = SessionPath['responses'][200]['content']['application/json'];

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
    file: (token: string, messageId: string, index: number) => call(`/messages/${messageId}/attachments/${index}`, { token }).then((res) => res.blob()),
  };
}
