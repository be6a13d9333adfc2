import { createRouter } from '../lib/openapi';
import { authTwoFactorRouter } from './auth-2fa';
import { authLoginRouter } from './auth-login';
import { authPasswordRouter } from './auth-password';
import { authRegisterRouter } from './auth-register';
import { authSessionsRouter } from './auth-sessions';

/**
 * /api/v1/auth, one file per URL group: auth-login.ts (/login, /login/2fa, /refresh, /logout),
 * auth-register.ts (/register, /verify-email, /resend-verification), auth-password.ts
 * (/forgot-password, /reset-password), auth-2fa.ts (/2fa/…), auth-sessions.ts (/sessions), and, in the back-office (back-office.ts), auth-sso.ts (/sso/…).
 */
export const authRouter = createRouter();
authRouter.route('/', authLoginRouter);
authRouter.route('/', authRegisterRouter);
authRouter.route('/', authPasswordRouter);
authRouter.route('/', authTwoFactorRouter);
authRouter.route('/', authSessionsRouter);
