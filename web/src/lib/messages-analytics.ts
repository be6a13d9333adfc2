/** UI text of the analytics area (merged into messages.ts; Spanish must have every key). */
export const en = {
  'nav.analytics': 'Analytics',
} as const;

export const es: Record<keyof typeof en, string> = {
  'nav.analytics': 'Analítica',
};
