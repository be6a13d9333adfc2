/** The pre-chat form: the fields a bot asks for before the first message. */
import type { Identity, PreChatField } from './api';
import { h } from './dom';
import type { Texts } from './i18n';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Builds the form, prefilled from what the site already told us about the visitor. `read()`
 * marks invalid fields and focuses the first (returning null), or returns the values.
 */
export function preChatForm(fields: PreChatField[], t: Texts, identity: Identity | null | undefined) {
  const values: Record<string, HTMLInputElement | HTMLSelectElement> = {};
  const form = h('form', { cls: 'card', novalidate: true }, h('h3', { text: t.formTitle }));
  for (const f of fields) {
    const type = f.type === 'phone' ? 'tel' : f.type;
    const input =
      f.type === 'select'
        ? h('select', { required: f.required }, h('option', { value: '', text: t.choose }), ...(f.options ?? []).map((o) => h('option', { value: o, text: o })))
        : h('input', { type, required: f.required, autocomplete: f.key === 'name' ? 'name' : type === 'text' ? null : type });
    const known = identity?.[f.key as 'name' | 'email'];
    if (known) input.value = known;
    values[f.key] = input;
    form.appendChild(h('label', {}, f.label + (f.required ? ' *' : ''), input, h('small', { hidden: true })));
  }
  const submit = h('button', { type: 'submit', cls: 'pri', text: t.start });
  form.appendChild(submit);

  const read = (): Record<string, string> | null => {
    const preChat: Record<string, string> = {};
    let invalid: HTMLInputElement | HTMLSelectElement | null = null;
    for (const f of fields) {
      const input = values[f.key];
      const v = input.value.trim();
      const msg = f.required && !v ? t.required : f.type === 'email' && v && !EMAIL.test(v) ? t.badEmail : '';
      const hint = input.nextElementSibling as HTMLElement;
      hint.textContent = msg;
      hint.hidden = !msg;
      input.setAttribute('aria-invalid', String(!!msg));
      if (msg) invalid ??= input;
      if (v) preChat[f.key] = v;
    }
    if (invalid) {
      invalid.focus();
      return null;
    }
    return preChat;
  };
  return { form, submit, read };
}
