// localStorage throws in some privacy modes and sandboxed iframes; the widget then simply
// forgets the session on reload instead of failing to start.
export const store = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string) {
    try {
      localStorage.setItem(key, value);
    } catch {
      /* see above */
    }
  },
  remove(key: string) {
    try {
      localStorage.removeItem(key);
    } catch {
      /* see above */
    }
  },
};

export const sessionKey = (botId: string) => `versaai:${botId}:session`;
export const ratedKey = (botId: string, conversationId: string) => `versaai:${botId}:rated:${conversationId}`;
