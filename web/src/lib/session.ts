import type { QueryClient } from '@tanstack/react-query';
import { api, getAccessToken, refreshAccessToken, setAccessToken } from './api';

let refreshFailed = false;

/** True when we hold an access token or can get one from the refresh cookie. */
export async function ensureSession(): Promise<boolean> {
  if (getAccessToken()) return true;
  // Remember a failed refresh so public pages do not hit the endpoint on every navigation.
  if (refreshFailed) return false;
  const ok = await refreshAccessToken();
  refreshFailed = !ok;
  return ok;
}

export function startSession(queryClient: QueryClient, accessToken: string) {
  // A different identity may be signing in: nothing cached for the previous one may leak.
  queryClient.clear();
  setAccessToken(accessToken);
  refreshFailed = false;
}

export async function endSession(queryClient: QueryClient) {
  try {
    await api('/api/v1/auth/logout', { method: 'POST', body: {}, orgId: null });
  } catch {
    // The cookie may already be gone; signing out locally is what matters.
  }
  setAccessToken(null);
  refreshFailed = true;
  queryClient.clear();
}

/** Only same-app paths: `?redirect=` must never send the user to another site. */
export function safeRedirect(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  return value;
}
