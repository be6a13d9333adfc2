/** UI text of the inbox area (merged into messages.ts; Spanish must have every key). */
export const en = {
  'nav.conversations': 'Conversations',
} as const;

export const es: Record<keyof typeof en, string> = {
  'nav.conversations': 'Conversaciones',
};
