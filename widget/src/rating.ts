/** The end-of-chat rating card: five stars and an optional comment. */
import { h, icon } from './dom';
import type { Texts } from './i18n';

interface RatingActions {
  save: (value: number, comment: string | undefined) => Promise<void>;
  /** After the thanks replaced the form. */
  saved: () => void;
  fail: (err: unknown) => void;
}

export function ratingCard(t: Texts, { save, saved, fail }: RatingActions) {
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
          await save(value, comment.value.trim() || undefined);
          card.replaceChildren(h('h3', { text: t.thanks }));
          saved();
        } catch (err) {
          send.disabled = false;
          fail(err);
        }
      },
    },
    h('h3', { text: t.rate }),
    h('div', { cls: 'stars', role: 'group', 'aria-label': t.rate }, ...stars),
    h('label', {}, t.comment, comment),
    send,
  );
  return card;
}
