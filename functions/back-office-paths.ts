import { BILLING_PATH } from './core/billing/plans';

/**
 * Paths the back-office worker (functions/ingest-worker.ts) serves at the edge: routes whose
 * libraries every other request would otherwise load at cold start (billing's `stripe`, single
 * sign-on's `oauth4webapi`). The request worker forwards them whole through its INGEST binding;
 * this module names only the paths, so the request worker imports none of those routes.
 */
export const SSO_SIGN_IN_PATH = '/api/v1/auth/sso';
export const SSO_SETTINGS_PATH = '/api/v1/sso';
export const BACK_OFFICE_PATHS = [BILLING_PATH, SSO_SIGN_IN_PATH, SSO_SETTINGS_PATH] as const;

export const isBackOfficePath = (pathname: string) => BACK_OFFICE_PATHS.some((path) => pathname === path || pathname.startsWith(`${path}/`));
