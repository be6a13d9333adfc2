import { ApiError, createApi, type Api, type Identity, type Message, type Session, type Source, type WidgetConfig } from './api';
import { pickLocale, texts, type Texts } from './i18n';
import { renderMarkdown } from './markdown';
import { readSse } from './sse';
import { ratedKey, sessionKey, store } from './storage';
import { css } from './styles';
import { h } from './dom';
import { composer, frame, panelHeader, renderLauncher } from './chrome';
import { preChatForm } from './prechat';
import { ratingCard } from './rating';
import { feedbackView, filesView, quickRepliesView, sourcesView } from './message-parts';
import type { InitOptions, Listener, VersaAIInstance, WidgetEvent } from './types';

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
    const title = cfg.widget?.title || cfg.name;
    this.w = frame(cfg);
    this.launcher = h('button', { cls: 'l', type: 'button', 'aria-haspopup': 'dialog', 'aria-controls': 'p', onclick: () => this.handle.toggle() });
    const top = panelHeader(cfg, t, { rate: () => this.showRating(true), close: () => this.close() });
    this.rateBtn = top.rateBtn;
    this.list = h('div', { cls: 'ms', role: 'log', 'aria-live': 'polite' });
    const bottom = composer(t, { submit: () => this.submit(), resize: () => this.autosize() });
    this.input = bottom.input;
    this.composer = bottom.form;
    this.panel = h(
      'div',
      { cls: 'p', id: 'p', role: 'dialog', 'aria-modal': 'true', 'aria-label': title, hidden: true, onkeydown: (e: KeyboardEvent) => this.onKey(e) },
      top.header,
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
    renderLauncher(this.launcher, this.t, { isOpen: this.isOpen, text: this.cfg.widget?.launcherText, unread: this.unread });
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
    if (m.attachments && m.id) body.insertBefore(filesView(m.attachments, (i) => this.api.file(this.token ?? '', m.id!, i)), body.firstChild);
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
    if (m.sources?.length) el.appendChild(sourcesView(m.sources, this.t));
    // Thumbs rate the bot's answers only, never a person's reply or a notice.
    if (m.role === 'assistant' && m.id) el.appendChild(feedbackView(m.feedback ?? null, this.t, (v) => this.api.feedback(this.token ?? '', m.id!, v), (e) => this.fail(e)));
    if (m.quickReplies?.length && m.id) el.appendChild(quickRepliesView(m.quickReplies, (label, id) => void this.sendMessage(label, id)));
    this.scroll();
    return el;
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
    const { form, submit, read } = preChatForm(this.cfg.preChatForm, this.t, this.identity);
    this.composer.hidden = true;
    this.list.appendChild(form);
    if (this.isOpen) this.focusFirst();

    return new Promise((resolve) => {
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const preChat = read();
        if (!preChat) return;
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
    let late = false;
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
        // Busy before the question was stored: the stream's 503 with Retry-After, handled below.
        else if (ev.event === 'error' && d.retryAfterSeconds && !userEl.dataset.id) throw new ApiError(503, d.code, d.message, d.retryAfterSeconds);
        else if (ev.event === 'error' && d.answerQueued) late = true;
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
      // The question is stored and its answer queued: it arrives on the events stream; sending the text again would ask twice.
      if (!done && late) {
        typing.remove();
        draft?.remove();
        userEl.appendChild(h('div', { cls: 'st lt', role: 'status' }, t.later));
        return this.scroll();
      }
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
    for (const waiting of this.list.querySelectorAll('.lt')) waiting.remove();
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
      const card = ratingCard(t, {
        save: async (value, comment) => {
          await this.api.rating(this.token ?? '', value, comment);
          store.set(ratedKey(this.opts.botId, this.conversationId), '1');
          this.rateBtn.hidden = true;
        },
        saved: () => this.input.focus(),
        fail: (err) => this.fail(err),
      });
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
