/** The Widget tab's form state: how a bot becomes form fields and fields become the PUT body. */
import type { Bot, PreChatField, WidgetLook } from '../../../../lib/queries';
import { DEFAULT_COLOR } from './widget-look-fields';

export const FIELD_TYPES: PreChatField['type'][] = ['text', 'email', 'phone', 'select'];

export interface FieldRow extends PreChatField {
  uid: number;
  optionsText: string;
}
let uidSeq = 1;

/** An empty pre-chat field row, with a fresh id for React. */
export const newFieldRow = (): FieldRow => ({ uid: uidSeq++, key: '', label: '', type: 'text', required: false, optionsText: '' });

export function fromBot(bot: Bot) {
  const w = bot.widget ?? {};
  return {
    look: {
      title: w.title ?? '',
      avatarUrl: w.avatarUrl ?? '',
      primaryColor: w.primaryColor ?? DEFAULT_COLOR,
      position: w.position ?? 'bottom-right',
      launcherText: w.launcherText ?? '',
      theme: w.theme ?? 'auto',
    } as Required<WidgetLook>,
    fields: (bot.preChatForm ?? []).map((f): FieldRow => ({ ...f, uid: uidSeq++, optionsText: (f.options ?? []).join(', ') })),
    origins: bot.allowedOrigins ?? [],
  };
}
export type Form = ReturnType<typeof fromBot>;

export function toBody(f: Form) {
  const widget: WidgetLook = { ...f.look };
  for (const k of ['title', 'avatarUrl', 'launcherText'] as const) {
    const v = widget[k]?.trim();
    if (v) widget[k] = v;
    else delete widget[k];
  }
  return {
    widget,
    preChatForm: f.fields.map(({ key, label, type, required, optionsText }) => ({
      key: key.trim(),
      label: label.trim(),
      type,
      required,
      ...(type === 'select' && {
        options: optionsText
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      }),
    })),
    allowedOrigins: f.origins,
  };
}

export const slugKey = (label: string) =>
  label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    // The API wants a letter first.
    .replace(/^(?=[^a-z])/, 'f_')
    .slice(0, 40);

/** `https://shop.example.com` or `http://localhost:3000`: scheme + host (+ port), nothing else. */
export function normalizeOrigin(input: string): string | null {
  try {
    const u = new URL(input.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return null;
    return u.origin;
  } catch {
    return null;
  }
}
