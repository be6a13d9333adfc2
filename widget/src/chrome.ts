/** The widget's frame: the themed container, the launcher button, the panel header and the composer. */
import type { WidgetConfig } from './api';
import { h, icon, onColor } from './dom';
import type { Texts } from './i18n';
import { safeUrl } from './markdown';

/** The container, carrying theme, side, online state and the brand colour (with readable text on it). */
export function frame(cfg: WidgetConfig) {
  const look = cfg.widget ?? {};
  const theme = look.theme === 'dark' || look.theme === 'auto' ? look.theme : '';
  const w = h('div', { cls: `w ${theme} ${look.position === 'bottom-left' ? 'left' : ''} ${cfg.online ? 'on' : ''}` });
  const color = look.primaryColor ?? '';
  if (/^#([0-9a-f]{3}){1,2}$/i.test(color)) {
    w.style.setProperty('--p', color);
    w.style.setProperty('--pt', onColor(color));
  }
  return w;
}

/** Avatar, name and online state, the rating button (hidden until there is a chat to rate) and close. */
export function panelHeader(cfg: WidgetConfig, t: Texts, actions: { rate: () => void; close: () => void }) {
  const look = cfg.widget ?? {};
  const title = look.title || cfg.name;
  const avatarUrl = look.avatarUrl && safeUrl(look.avatarUrl);
  const avatar = avatarUrl
    ? h('img', { cls: 'av', src: avatarUrl, alt: '' })
    : h('div', { cls: 'av', 'aria-hidden': 'true', text: title.trim().charAt(0).toUpperCase() });
  const rateBtn = h('button', { cls: 'hb', type: 'button', 'aria-label': t.rate, title: t.rate, hidden: true, onclick: actions.rate }, icon('star'));
  const header = h(
    'div',
    { cls: 'h' },
    avatar,
    h('div', { cls: 'ht' }, h('b', { text: title }), h('span', { text: cfg.online ? t.online : t.offline })),
    rateBtn,
    h('button', { cls: 'hb', type: 'button', 'aria-label': t.close, title: t.close, onclick: actions.close }, icon('x')),
  );
  return { header, rateBtn };
}

/** The message box: Enter sends, Shift+Enter (or an IME composition) does not. */
export function composer(t: Texts, actions: { submit: () => void; resize: () => void }) {
  const input = h('textarea', {
    rows: 1,
    placeholder: t.placeholder,
    'aria-label': t.placeholder,
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        actions.submit();
      }
    },
    oninput: actions.resize,
  });
  const form = h(
    'form',
    { cls: 'c', onsubmit: (e: Event) => (e.preventDefault(), actions.submit()) },
    input,
    h('button', { type: 'submit', 'aria-label': t.send, title: t.send }, icon('send')),
  );
  return { input, form };
}

/** The launcher's face: chat or close icon, the optional text while closed, the unread count. */
export function renderLauncher(l: HTMLButtonElement, t: Texts, state: { isOpen: boolean; text: string | undefined; unread: number }) {
  const text = !state.isOpen && state.text;
  l.setAttribute('aria-expanded', String(state.isOpen));
  if (text) l.removeAttribute('aria-label');
  else l.setAttribute('aria-label', state.isOpen ? t.close : t.open);
  l.replaceChildren(icon(state.isOpen ? 'x' : 'chat'));
  if (text) l.appendChild(h('span', { text }));
  if (state.unread) l.appendChild(h('i', { text: String(state.unread) }));
}
