/**
 * One error path for every mutation: a failed mutation is toasted with its error message
 * (MutationErrorToasts in components/toast.tsx), unless it opts out with `meta: OWN_ERROR`
 * because it shows the error itself (inline in its form, or in its own words).
 */
export interface MutationMeta extends Record<string, unknown> {
  /** The mutation shows its error itself; the app does not toast it. */
  ownError?: boolean;
}

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: MutationMeta;
  }
}

export const OWN_ERROR: MutationMeta = { ownError: true };

/** Whether the app-wide toast should report this mutation's failure. */
export const toastsItsError = (meta: MutationMeta | undefined) => !meta?.ownError;
