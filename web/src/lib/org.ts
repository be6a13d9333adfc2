/** The organization the dashboard is working in, persisted across reloads. */
import { useSyncExternalStore } from 'react';

const KEY = 'versaai.orgId';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let current: string | null = typeof window === 'undefined' ? null : read();

export const getCurrentOrgId = () => current;

export function setCurrentOrgId(id: string | null) {
  if (id === current) return;
  current = id;
  try {
    if (id) localStorage.setItem(KEY, id);
    else localStorage.removeItem(KEY);
  } catch {
    // Private mode: keep it in memory only.
  }
  listeners.forEach((l) => l());
}

export function useCurrentOrgId(): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getCurrentOrgId,
  );
}
