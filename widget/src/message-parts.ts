/** The pieces of a message bubble: its files, quick replies, cited sources and thumbs. */
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

// The dashboard's units (web/src/components/ui/format.ts): a 60-byte file reads "60 B" in both.
const sizeOf = (n: number | null) => (!n ? '' : ` · ${n < 1024 ? n + ' B' : n < 1048576 ? Math.round(n / 1024) + ' KB' : (n / 1048576).toFixed(1) + ' MB'}`);

/**
 * The stored files of a message. Their bytes need the session token, which an `<img src>` cannot
 * send, so each is fetched and shown from an object URL: images (a click opens them full size),
 * audio and video as players, anything else as a download link with its name and size.
 */
export function filesView(list: NonNullable<Message['attachments']>, load: (index: number) => Promise<Blob>) {
  const box = h('div', { cls: 'fl' });
  list.forEach((a, i) => {
    if (a.status != 'stored') return;
    const name = a.filename || a.kind;
    const player = a.kind == 'audio' || a.kind == 'video' ? h(a.kind, { controls: true, title: name }) : null;
    const img = a.kind == 'image' || a.kind == 'sticker' ? h('img', { alt: name }) : null;
    const link = player ? null : h('a', { target: '_blank', download: img ? null : name }, img || name + sizeOf(a.size));
    box.appendChild((player || link)!);
    load(i).then((blob) => {
      const url = URL.createObjectURL(blob);
      if (player) player.src = url;
      if (img) img.src = url;
      if (link) link.href = url;
    }, () => {});
  });
  return box;
}
