/** UI text of the channels area (merged into messages.ts; Spanish must have every key). */
export const en = {
  'nav.channels': 'Channels',
} as const;

export const es: Record<keyof typeof en, string> = {
  'nav.channels': 'Canales',
};
