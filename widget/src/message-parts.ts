/** The pieces under a message bubble: quick replies, cited sources and thumbs. */
import type { Message, Source } from './api';
import { h, icon } from './dom';
import type { Texts } from './i18n';
import { safeUrl } from './markdown';

/** Answer buttons ("Sí, con una persona"); they go away once the visitor says anything. */
export function quickRepliesView(replies: NonNullable<Message['quickReplies']>, pick: (label: string, id: string) => void) {
  return h(
    'div',
    { cls: 'qr', role: 'group' },
    ...replies.map((r) => h('button', { type: 'button', text: r.label, onclick: () => pick(r.label, r.id) })),
  );
}

/** The documents an answer cites, each once; links only for http(s) addresses. */
export function sourcesView(list: Source[], t: Texts) {
  const seen = new Set<string>();
  const box = h('div', { cls: 'src' }, `${t.sources}:`);
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

/** Thumbs up/down on a bot answer: marked at once, unmarked again if saving fails. */
export function feedbackView(current: Message['feedback'], t: Texts, save: (value: 1 | -1) => Promise<unknown>, fail: (e: unknown) => void) {
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
            await save(v);
          } catch (e) {
            mark((current = before));
            fail(e);
          }
        },
      },
      icon(v > 0 ? 'up' : 'down'),
    ),
  );
  return h('div', { cls: 'fb' }, ...buttons);
}
