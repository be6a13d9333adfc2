import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'versaai.theme';
const listeners = new Set<() => void>();

const getTheme = (): Theme => (document.documentElement.classList.contains('dark') ? 'dark' : 'light');

export function setTheme(theme: Theme) {
  document.documentElement.classList.toggle('dark', theme === 'dark');
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Ignore: the choice then lasts for this page only.
  }
  listeners.forEach((l) => l());
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const theme = useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, getTheme);
  return [theme, setTheme];
}
