/** UI text of the webhooks area (merged into messages.ts; Spanish must have every key). */
export const en = {
  'nav.webhooks': 'Webhooks',
} as const;

export const es: Record<keyof typeof en, string> = {
  'nav.webhooks': 'Webhooks',
};
