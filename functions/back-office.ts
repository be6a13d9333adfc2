import { SSO_SETTINGS_PATH } from './back-office-paths';
import { BILLING_PATH } from './core/billing/plans';
import { authSsoRouter } from './routes/auth-sso';
import { billingRouter } from './routes/billing';
import { ssoRouter } from './routes/sso';

/**
 * The back-office routes (back-office-paths.ts says why they are apart): mounted by the back-office
 * worker at the edge, and beside everything else by the Node runtime and the API document.
 * `authSsoRouter` carries its own `/sso/…` prefix under `/api/v1/auth`.
 */
export const BACK_OFFICE_ROUTES = [
  { path: BILLING_PATH, router: billingRouter },
  { path: '/api/v1/auth', router: authSsoRouter },
  { path: SSO_SETTINGS_PATH, router: ssoRouter },
];
