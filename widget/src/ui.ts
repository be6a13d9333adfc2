import { ApiError, createApi, type Api, type Identity, type Message, type Session, type Source, type WidgetConfig } from './api';
import { pickLocale, texts, type Texts } from './i18n';
import { renderMarkdown, safeUrl } from './markdown';
import { readSse } from './sse';
import { ratedKey, sessionKey, store } from './storage';
import { css } from './styles';

export interface InitOptions {
  botId: string;
  apiBase?: string;
  open?: boolean;
  locale?: string;
}

export type WidgetEvent = 'ready' | 'open' | 'close' | 'message' | 'error';
type Listener = (data?: unknown) => void;

export interface VersaAIInstance {
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: Identity): Promise<void>;
  sendMessage(text: string): Promise<void>;
  destroy(): void;
  on(event: WidgetEvent, cb: Listener): VersaAIInstance;
  off(event: WidgetEvent, cb: Listener): VersaAIInstance;
}

type Kid = Node | string | null | undefined | false;

/** Element builder: text goes through textContent/append(string), never through HTML parsing. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...kids: Kid[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const k in props) {
    const v = props[k];
    if (v == null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k === 'cls' ? 'class' : k, v === true ? '' : String(v));
  }
  for (const c of kids) if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const ICONS = {
  chat: 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z',
  x: 'M18 6 6 18M6 6l12 12',
  send: 'M22 2 11 13M22 2l-7 20-4-9-9-4z',
  up: 'M7 10v12M15 5.9 14 10h5.8a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.8a2 2 0 0 0 1.8-1.1L12 2a3.1 3.1 0 0 1 3 3.9z',
  down: 'M17 14V2M9 18.1 10 14H4.2a2 2 0 0 1-2-2.3l1.4-8A2 2 0 0 1 5.6 2H20a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2.8a2 2 0 0 0-1.8 1.1L12 22a3.1 3.1 0 0 1-3-3.9z',
  star: 'm12 2 3.1 6.3 6.9 1-5 4.9 1.2 6.8-6.2-3.2L5.8 21 7 14.2 2 9.3l6.9-1z',
};

function icon(name: keyof typeof ICONS): SVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.appendChild(path);
  return svg;
}

/** Dark text on light brand colours, white on dark ones (perceived brightness, YIQ). */
function onColor(hex: string): string {
  let c = hex.slice(1);
  if (c.length === 3) c = c.replace(/./g, '$&$&');
  const n = parseInt(c, 16);
  return ((n >> 16) & 255) * 0.299 + ((n >> 8) & 255) * 0.587 + (n & 255) * 0.114 > 170 ? '#111827' : '#fff';
}

const statusOf = (e: unknown) => (e instanceof ApiError ? e.status : 0);
/** Automatic resends of one message while the server says it is busy (503/429 with Retry-After). */
const MAX_BUSY_RETRIES = 5;

export class Widget {
  readonly handle: VersaAIInstance;
  readonly ready: Promise<boolean>;
  private api: Api;
  private host: HTMLElement;
  private root: ShadowRoot;
  private on: Record<string, Set<Listener>> = {};
  private cfg!: WidgetConfig;
  private t!: Texts;
  private isReady = false;
  private isOpen = false;
  private dead = false;
  private w!: HTMLDivElement;
  private launcher!: HTMLButtonElement;
  private panel!: HTMLDivElement;
  private list!: HTMLDivElement;
  private input!: HTMLTextAreaElement;
  private composer!: HTMLFormElement;
  private rateBtn!: HTMLButtonElement;
  private ratingCard?: HTMLElement;
  private token: string | null = null;
  private conversationId = '';
  private session?: Promise<boolean>;
  private identity?: Identity;
  private shown = new Set<string>();
  private answered = false;
  private unread = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private events?: AbortController;

  constructor(
    private opts: InitOptions,
    private onDestroy: () => void,
  ) {
    this.api = createApi(opts.apiBase ?? '', opts.botId);
    this.host = document.createElement('versaai-widget');
    this.host.id = `versaai-widget-${opts.botId}`;
    // Inline !important beats every host page rule, `* { all: unset !important }` included.
    this.host.setAttribute(
      'style',
      'all:initial!important;position:fixed!important;z-index:2147483000!important;right:0!important;bottom:0!important;width:0!important;height:0!important',
    );
    (this.host as unknown as { versaai: Widget }).versaai = this;
    this.root = this.host.attachShadow({ mode: 'open' });
    (document.body || document.documentElement).appendChild(this.host);

    const self = this;
    this.handle = {
      open: () => this.open(),
      close: () => this.close(),
      toggle: () => (this.isOpen ? this.close() : this.open()),
      identify: (identity) => this.identify(identity),
      sendMessage: (text) => this.sendMessage(text),
      destroy: () => this.destroy(),
      on(event, cb) {
        (self.on[event] ??= new Set()).add(cb);
        if (event === 'ready' && self.isReady) queueMicrotask(() => cb({ botId: opts.botId }));
        return this;
      },
      off(event, cb) {
        self.on[event]?.delete(cb);
        return this;
      },
    };
    this.ready = this.load();
  }

  private emit(event: WidgetEvent, data?: unknown) {
    for (const cb of this.on[event] ?? []) {
      try {
        cb(data);
      } catch (e) {
        // A throwing host page handler must not break the widget.
        console.error(e);
      }
    }
  }

  private fail(e: unknown) {
    const err = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
    this.emit('error', { code: err.code, message: err.message, status: err.status });
  }

  private async load(): Promise<boolean> {
    try {
      this.cfg = await this.api.config();
    } catch (e) {
      // Inactive or unknown bot (404), or unreachable API: render nothing, tell the page.
      this.fail(e);
      this.destroy();
      return false;
    }
    if (this.dead) return false;
    this.t = texts(pickLocale(this.opts.locale, this.cfg.language, navigator.languages ?? [navigator.language]));
    this.build();
    this.isReady = true;
    this.emit('ready', { botId: this.opts.botId });
    if (this.opts.open) this.open();
    return true;
  }

  private build() {
    const { cfg, t } = this;
    const look = cfg.widget ?? {};
    const title = look.title || cfg.name;
    const theme = look.theme === 'dark' || look.theme === 'auto' ? look.theme : '';
    this.w = h('div', { cls: `w ${theme} ${look.position === 'bottom-left' ? 'left' : ''} ${cfg.online ? 'on' : ''}` });
    const color = look.primaryColor ?? '';
    if (/^#([0-9a-f]{3}){1,2}$/i.test(color)) {
      this.w.style.setProperty('--p', color);
      this.w.style.setProperty('--pt', onColor(color));
    }
    this.launcher = h('button', { cls: 'l', type: 'button', 'aria-haspopup': 'dialog', 'aria-controls': 'p', onclick: () => this.handle.toggle() });
    const avatarUrl = look.avatarUrl && safeUrl(look.avatarUrl);
    const avatar = avatarUrl
      ? h('img', { cls: 'av', src: avatarUrl, alt: '' })
      : h('div', { cls: 'av', 'aria-hidden': 'true', text: title.trim().charAt(0).toUpperCase() });
    this.rateBtn = h('button', { cls: 'hb', type: 'button', 'aria-label': t.rate, title: t.rate, hidden: true, onclick: () => this.showRating(true) }, icon('star'));
    const header = h(
      'div',
      { cls: 'h' },
      avatar,
      h('div', { cls: 'ht' }, h('b', { text: title }), h('span', { text: cfg.online ? t.online : t.offline })),
      this.rateBtn,
      h('button', { cls: 'hb', type: 'button', 'aria-label': t.close, title: t.close, onclick: () => this.close() }, icon('x')),
    );
    this.list = h('div', { cls: 'ms', role: 'log', 'aria-live': 'polite' });
    this.input = h('textarea', {
      rows: 1,
      placeholder: t.placeholder,
      'aria-label': t.placeholder,
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          this.submit();
        }
      },
      oninput: () => this.autosize(),
    });
    this.composer = h(
      'form',
      { cls: 'c', onsubmit: (e: Event) => (e.preventDefault(), this.submit()) },
      this.input,
      h('button', { type: 'submit', 'aria-label': t.send, title: t.send }, icon('send')),
    );
    this.panel = h(
      'div',
      { cls: 'p', id: 'p', role: 'dialog', 'aria-modal': 'true', 'aria-label': title, hidden: true, onkeydown: (e: KeyboardEvent) => this.onKey(e) },
      header,
      this.list,
      this.composer,
    );
    if (cfg.welcomeMessage) this.bubble({ role: 'assistant', content: cfg.welcomeMessage });
    if (!cfg.online && cfg.outOfHoursMessage) this.bubble({ role: 'system', content: cfg.outOfHoursMessage });
    this.w.replaceChildren(this.launcher, this.panel);
    this.root.replaceChildren(h('style', { text: css }), this.w);
    this.renderLauncher();
  }

  private renderLauncher() {
    const { t, launcher: l, isOpen } = this;
    const text = !isOpen && this.cfg.widget?.launcherText;
    l.setAttribute('aria-expanded', String(isOpen));
    if (text) l.removeAttribute('aria-label');
    else l.setAttribute('aria-label', isOpen ? t.close : t.open);
    l.replaceChildren(icon(isOpen ? 'x' : 'chat'));
    if (text) l.appendChild(h('span', { text }));
    if (this.unread) l.appendChild(h('i', { text: String(this.unread) }));
  }

  open() {
    if (this.dead) return;
    if (!this.isReady) {
      this.opts.open = true;
      return;
    }
    if (this.isOpen) return;
    this.isOpen = true;
    this.unread = 0;
    this.panel.hidden = false;
    this.w.classList.add('open');
    this.renderLauncher();
    this.focusFirst();
    this.scroll();
    this.emit('open');
    void this.ensureSession();
  }

  close() {
    if (!this.isOpen) return;
    const hadFocus = !!this.root.activeElement;
    this.isOpen = false;
    this.panel.hidden = true;
    this.w.classList.remove('open');
    this.renderLauncher();
    // Offer the rating at the end of the conversation, waiting there when the visitor comes back.
    if (this.answered && !this.rated()) this.showRating(false);
    // Only take focus back when it was ours: a programmatic close must not steal it from the page.
    if (hadFocus) this.launcher.focus();
    this.emit('close');
  }

  private focusFirst() {
    const target = this.panel.querySelector<HTMLElement>('.card input,.card select') ?? this.input;
    target.focus();
  }

  private focusables(): HTMLElement[] {
    return [...this.panel.querySelectorAll<HTMLElement>('button,a[href],input,select,textarea')].filter(
      (el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
    );
  }

  /** Escape closes; Tab and Shift+Tab cycle inside the dialog (a focus trap, as aria-modal promises). */
  private onKey(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.close();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = this.focusables();
    const first = items[0];
    const last = items[items.length - 1];
    const active = this.root.activeElement;
    if (!first) return;
    if (e.shiftKey ? active === first || !active : active === last || !active) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  }

  private scroll() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  private autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }

  /** Adds a message to the list (or refills `el` in place, e.g. a streamed draft becoming final). */
  private bubble(m: Partial<Message> & Pick<Message, 'role'>, el?: HTMLElement): HTMLElement {
    const body = h('div', { cls: 'b' });
    // Visitors type plain text; only bot and agent replies are Markdown.
    if (m.role === 'user') body.textContent = m.content ?? '';
    else body.appendChild(renderMarkdown(m.content ?? ''));
    const cls = `m ${m.role === 'user' ? 'u' : m.role === 'system' ? 's' : 'a'}`;
    if (el) el.replaceChildren(body);
    else {
      // Only the latest message's buttons are live: an older offer was answered or passed over.
      this.list.querySelectorAll('.qr').forEach((old) => old.remove());
      this.list.appendChild((el = h('div', { cls }, body)));
    }
    // A person answering says who they are: initials and first name above the bubble.
    const who = m.role === 'agent' && m.author?.name;
    if (who) el.insertBefore(h('div', { cls: 'who' }, h('span', { 'aria-hidden': 'true', text: who.charAt(0).toUpperCase() }), who), body);
    if (m.id) {
      el.dataset.id = m.id;
      this.shown.add(m.id);
    }
    if (m.sources?.length) el.appendChild(this.sources(m.sources));
    // Thumbs rate the bot's answers only, never a person's reply or a notice.
    if (m.role === 'assistant' && m.id) el.appendChild(this.feedback(m.id, m.feedback ?? null));
    if (m.quickReplies?.length && m.id) el.appendChild(this.quickReplies(m.quickReplies));
    this.scroll();
    return el;
  }

  /** Answer buttons ("Sí, con una persona"); they go away once the visitor says anything. */
  private quickReplies(replies: NonNullable<Message['quickReplies']>) {
    return h(
      'div',
      { cls: 'qr', role: 'group' },
      ...replies.map((r) => h('button', { type: 'button', text: r.label, onclick: () => void this.sendMessage(r.label, r.id) })),
    );
  }

  private sources(list: Source[]) {
    const seen = new Set<string>();
    const box = h('div', { cls: 'src' }, `${this.t.sources}:`);
    for (const s of list) {
      const url = s.url ? safeUrl(s.url) : null;
      const href = url && /^https?:/.test(url) ? url : null;
      const key = href ?? s.documentId + (s.section ?? '');
      if (seen.has(key)) continue;
      seen.add(key);
      const text = s.title + (s.page ? ` · p. ${s.page}` : '');
      const title = s.section ? `${text} › ${s.section}` : text;
      box.appendChild(href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', title, text }) : h('span', { title, text }));
    }
    return box;
  }

  private feedback(id: string, current: Message['feedback']) {
    const { t } = this;
    const buttons = ([1, -1] as const).map((v) =>
      h(
        'button',
        {
          type: 'button',
          'aria-label': v > 0 ? t.helpful : t.notHelpful,
          title: v > 0 ? t.helpful : t.notHelpful,
          'aria-pressed': String(current === v),
          onclick: async () => {
            const before = current;
            const mark = (val: number | null) => buttons.forEach((b, i) => b.setAttribute('aria-pressed', String((i ? -1 : 1) === val)));
            mark((current = v));
            try {
              await this.api.feedback(this.token ?? '', id, v);
            } catch (e) {
              mark((current = before));
              this.fail(e);
            }
          },
        },
        icon(v > 0 ? 'up' : 'down'),
      ),
    );
    return h('div', { cls: 'fb' }, ...buttons);
  }

  private notice(text: string, retry?: () => void) {
    const el = h('div', { cls: 'm s' }, h('div', { cls: 'st', role: 'alert' }, text));
    if (retry)
      el.firstChild!.appendChild(
        h('button', {
          type: 'button',
          text: this.t.retry,
          onclick: () => {
            el.remove();
            this.input.focus();
            retry();
          },
        }),
      );
    this.list.appendChild(el);
    this.scroll();
  }

  private ensureSession(): Promise<boolean> {
    if (!this.session) {
      const needsForm = this.cfg.preChatForm?.length > 0 && !store.get(sessionKey(this.opts.botId)) && !this.token;
      const started = needsForm ? this.preChat() : this.startSession();
      // A failed start can be retried by the next open or send.
      started.then((ok) => ok || (this.session = undefined));
      this.session = started;
    }
    return this.session;
  }

  private async startSession(extra: { preChat?: Record<string, string> } = {}, notify = true): Promise<boolean> {
    const key = sessionKey(this.opts.botId);
    const stored = store.get(key) ?? undefined;
    try {
      let s: Session;
      try {
        s = await this.api.session({ sessionToken: stored, identity: this.identity, ...extra });
      } catch (e) {
        // An expired token: forget it and start a new conversation.
        if (statusOf(e) !== 401 || !stored) throw e;
        store.remove(key);
        s = await this.api.session({ identity: this.identity, ...extra });
      }
      this.setSession(s);
      return true;
    } catch (e) {
      this.fail(e);
      if (notify) this.notice(this.t.failed, () => void this.ensureSession());
      return false;
    }
  }

  private setSession(s: Session) {
    if (this.dead) return;
    const changed = s.sessionToken !== this.token;
    this.token = s.sessionToken;
    this.conversationId = s.conversationId;
    store.set(sessionKey(this.opts.botId), s.sessionToken);
    for (const m of s.messages ?? []) if (!this.shown.has(m.id)) this.bubble(m);
    if (s.messages?.some((m) => m.role === 'assistant' || m.role === 'agent')) this.answered = true;
    this.rateBtn.hidden = !this.answered || this.rated();
    if (changed) {
      this.events?.abort();
      void this.listen();
    }
  }

  private preChat(): Promise<boolean> {
    const { t } = this;
    const values: Record<string, HTMLInputElement | HTMLSelectElement> = {};
    const form = h('form', { cls: 'card', novalidate: true }, h('h3', { text: t.formTitle }));
    for (const f of this.cfg.preChatForm) {
      const type = f.type === 'phone' ? 'tel' : f.type;
      const input =
        f.type === 'select'
          ? h('select', { required: f.required }, h('option', { value: '', text: t.choose }), ...(f.options ?? []).map((o) => h('option', { value: o, text: o })))
          : h('input', { type, required: f.required, autocomplete: f.key === 'name' ? 'name' : type === 'text' ? null : type });
      const known = this.identity?.[f.key as 'name' | 'email'];
      if (known) input.value = known;
      values[f.key] = input;
      form.appendChild(h('label', {}, f.label + (f.required ? ' *' : ''), input, h('small', { hidden: true })));
    }
    const submit = h('button', { type: 'submit', cls: 'pri', text: t.start });
    form.appendChild(submit);
    this.composer.hidden = true;
    this.list.appendChild(form);
    if (this.isOpen) this.focusFirst();

    return new Promise((resolve) => {
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const preChat: Record<string, string> = {};
        let invalid: HTMLInputElement | HTMLSelectElement | null = null;
        for (const f of this.cfg.preChatForm) {
          const input = values[f.key];
          const v = input.value.trim();
          const msg = f.required && !v ? t.required : f.type === 'email' && v && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? t.badEmail : '';
          const hint = input.nextElementSibling as HTMLElement;
          hint.textContent = msg;
          hint.hidden = !msg;
          input.setAttribute('aria-invalid', String(!!msg));
          if (msg) invalid ??= input;
          if (v) preChat[f.key] = v;
        }
        if (invalid) return invalid.focus();
        submit.disabled = true;
        if (await this.startSession({ preChat })) {
          form.remove();
          this.composer.hidden = false;
          this.input.focus();
          resolve(true);
        } else submit.disabled = false;
      });
    });
  }

  private async renewSession(): Promise<boolean> {
    store.remove(sessionKey(this.opts.botId));
    this.token = null;
    this.session = this.startSession({}, false);
    return this.session;
  }

  private submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.autosize();
    void this.sendMessage(text);
  }

  /** Sends are queued so answers stream one at a time, in order. */
  sendMessage(text: string, quickReply?: string): Promise<void> {
    const run = async () => {
      if (!(await this.ready) || this.dead || !text.trim()) return;
      this.open();
      if (!(await this.ensureSession())) return;
      this.list.querySelectorAll('.qr').forEach((el) => el.remove());
      await this.chat(text.trim(), this.bubble({ role: 'user', content: text.trim() }), false, quickReply);
    };
    return (this.queue = this.queue.then(run, run)) as Promise<void>;
  }

  private async chat(text: string, userEl: HTMLElement, renewed = false, quickReply?: string, busyTries = 0): Promise<void> {
    const { t } = this;
    userEl.querySelector('.st')?.remove();
    const typing = h('div', { cls: 'm a', 'aria-label': t.typing }, h('div', { cls: 'b ty' }, h('i'), h('i'), h('i')));
    this.list.appendChild(typing);
    this.scroll();
    let draft: HTMLElement | undefined;
    let text_ = '';
    let sources: Source[] = [];
    let done = false;
    try {
      const res = await this.api.chat(this.token ?? '', text, quickReply);
      await readSse(res, (ev) => {
        let d;
        try {
          d = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (ev.event === 'message' && d.id) {
          userEl.dataset.id = d.id;
          this.shown.add(d.id);
        } else if (ev.event === 'token') {
          text_ += d.text ?? '';
          typing.remove();
          draft = this.bubble({ role: 'assistant', content: text_ }, draft);
          if (!draft.isConnected) this.list.appendChild(draft);
        } else if (ev.event === 'sources') sources = d.sources ?? [];
        else if (ev.event === 'done') {
          done = true;
          typing.remove();
          const m: Message | null = d.message;
          // No message: a human has taken over and answers through the events stream.
          if (!m || this.shown.has(m.id)) return draft?.remove();
          if (!m.sources?.length) m.sources = sources;
          draft = this.bubble(m, draft);
          if (!draft.isConnected) this.list.appendChild(draft);
          this.answered = true;
          this.rateBtn.hidden = this.rated();
          this.emit('message', m);
        }
      });
      if (!done) throw new ApiError(0, 'stream_ended', 'The answer was cut off');
    } catch (e) {
      typing.remove();
      if (!done) draft?.remove();
      if (statusOf(e) === 401 && !renewed && (await this.renewSession())) return this.chat(text, userEl, true, quickReply);
      // A busy server stored nothing and says when to come back: wait and send the same text again.
      const wait = e instanceof ApiError && (e.status === 503 || e.status === 429) ? e.retryAfter : undefined;
      if (wait && busyTries < MAX_BUSY_RETRIES) {
        userEl.appendChild(h('div', { cls: 'st', role: 'status' }, t.busy));
        await new Promise((r) => setTimeout(r, Math.min(wait, 60) * 1000 * (1 + Math.random() / 4)));
        return this.chat(text, userEl, renewed, quickReply, busyTries + 1);
      }
      this.fail(e);
      const status = statusOf(e);
      const tooLong = status === 413 || status === 422;
      if (tooLong && !this.input.value) this.input.value = text;
      const retry =
        !tooLong &&
        h('button', {
          type: 'button',
          text: t.retry,
          onclick: () => {
            this.input.focus();
            this.queue = this.queue.then(() => this.chat(text, userEl, false, quickReply));
          },
        });
      userEl.appendChild(h('div', { cls: 'st', role: 'alert' }, tooLong ? t.tooLong : status === 429 ? t.rateLimited : t.notSent, retry));
      this.scroll();
    }
  }

  /** Agent (and late bot) messages; reconnects with Last-Event-ID and back-off, stops quietly on 4xx (404: not deployed yet). */
  private async listen() {
    const ctl = (this.events = new AbortController());
    let lastId = '';
    let delay = 1000;
    while (!ctl.signal.aborted && this.token) {
      try {
        const res = await this.api.events(this.token, lastId, ctl.signal);
        await readSse(res, (ev) => {
          if (ev.id) lastId = ev.id;
          delay = 1000;
          try {
            if (ev.event === 'message') this.remote(JSON.parse(ev.data));
            else if (ev.event === 'status') this.status(JSON.parse(ev.data));
          } catch {
            /* a malformed event is skipped */
          }
        });
      } catch (e) {
        const s = statusOf(e);
        if (s >= 400 && s < 500 && s !== 408 && s !== 429) return;
      }
      if (ctl.signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 30_000);
    }
  }

  private remote(m: Message) {
    // The visitor's own messages are already on screen (the chat stream echoes their ids).
    if (!m?.id || m.role === 'user' || this.shown.has(m.id)) return;
    this.bubble(m);
    if (m.role !== 'system') {
      this.answered = true;
      this.rateBtn.hidden = this.rated();
    }
    if (!this.isOpen) {
      this.unread++;
      this.renderLauncher();
    }
    this.emit('message', m);
  }

  /** The conversation went back to the bot: say so, or the visitor waits for a person who left. */
  private status(s: { handoff?: string | null; changes?: string[] }) {
    if (s?.handoff === 'bot' && s.changes?.includes('handoff')) this.bubble({ role: 'system', content: this.t.botBack });
  }

  private rated() {
    return !!this.conversationId && store.get(ratedKey(this.opts.botId, this.conversationId)) === '1';
  }

  private showRating(focus: boolean) {
    const { t } = this;
    if (!this.ratingCard?.isConnected) {
      let value = 0;
      const send = h('button', { type: 'submit', cls: 'pri', disabled: true, text: t.submit });
      const stars = [1, 2, 3, 4, 5].map((n) =>
        h(
          'button',
          {
            type: 'button',
            'aria-label': `${n} ${t.stars}`,
            'aria-pressed': 'false',
            onclick: () => {
              value = n;
              stars.forEach((s, i) => {
                s.classList.toggle('on', i < n);
                s.setAttribute('aria-pressed', String(i === n - 1));
              });
              send.disabled = false;
            },
          },
          icon('star'),
        ),
      );
      const comment = h('textarea', { rows: 2, maxlength: 1000 });
      const card = h(
        'form',
        {
          cls: 'card',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            send.disabled = true;
            try {
              await this.api.rating(this.token ?? '', value, comment.value.trim() || undefined);
              store.set(ratedKey(this.opts.botId, this.conversationId), '1');
              this.rateBtn.hidden = true;
              card.replaceChildren(h('h3', { text: t.thanks }));
              this.input.focus();
            } catch (err) {
              send.disabled = false;
              this.fail(err);
            }
          },
        },
        h('h3', { text: t.rate }),
        h('div', { cls: 'stars', role: 'group', 'aria-label': t.rate }, ...stars),
        h('label', {}, t.comment, comment),
        send,
      );
      this.ratingCard = card;
      this.list.appendChild(card);
    }
    this.scroll();
    if (focus) this.ratingCard.querySelector('button')?.focus();
  }

  private async identify(identity: Identity) {
    this.identity = identity;
    // Before the first open the identity simply rides along with the session request.
    if (this.token && (await this.ready)) await this.startSession({}, false);
  }

  destroy() {
    if (this.dead) return;
    this.dead = true;
    this.events?.abort();
    this.host.remove();
    this.on = {};
    this.onDestroy();
  }
}
