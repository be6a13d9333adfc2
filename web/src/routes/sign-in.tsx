import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Link, redirect, useRouter } from '@tanstack/react-router';
import { useState } from 'react';
import { AuthLayout, linkClass } from '../components/chrome';
import { Alert, Button, TextField } from '../components/ui';
import { OWN_ERROR } from '../lib/mutation-errors';
import { api, ApiError } from '../lib/api';
import { useErrorMessage, useT } from '../lib/i18n';
import type { ApiResponse, Schemas } from '../lib/api-contract';
import { ensureSession, safeRedirect, startSession } from '../lib/session';
import { en, type MessageKey } from '../lib/messages';

type AuthResult = Schemas['SessionTokens'];
type LoginResult = ApiResponse<'/api/v1/auth/login', 'post'>;

export const Route = createFileRoute('/sign-in')({
  validateSearch: (search: Record<string, unknown>): { redirect?: string } => ({ redirect: safeRedirect(search.redirect) }),
  beforeLoad: async ({ search }) => {
    if (await ensureSession()) throw redirect({ href: search.redirect ?? '/' });
  },
  component: SignIn,
});

function SignIn() {
  const t = useT();
  const errorMessage = useErrorMessage();
  const ssoErrorText = (error: unknown) => {
    const reason = error instanceof ApiError ? (error.details as { reason?: string } | undefined)?.reason : undefined;
    const key = `sso.reason.${reason}` as MessageKey;
    return reason && key in en ? t(key) : errorMessage(error);
  };
  const search = Route.useSearch();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [ssoMode, setSsoMode] = useState(false);

  const finish = async (result: AuthResult) => {
    startSession(queryClient, result.accessToken);
    router.history.push(search.redirect ?? '/');
  };

  const login = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<LoginResult>('/api/v1/auth/login', { method: 'POST', body: { email, password }, orgId: null }),
    onSuccess: async (result) => {
      if ('twoFactorRequired' in result) setChallenge(result.challengeToken);
      else await finish(result);
    },
  });
  const verify = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<AuthResult>('/api/v1/auth/login/2fa', {
        method: 'POST',
        body: { challengeToken: challenge, code: code.replace(/\s+/g, '') },
        orgId: null,
      }),
    onSuccess: finish,
  });

  const sso = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Schemas['SsoStart']>('/api/v1/auth/sso/start', { method: 'POST', body: { email }, orgId: null }),
    // The provider signs the person in and sends the browser back to /sso/callback.
    onSuccess: (result) => window.location.assign(result.authorizationUrl),
  });

  if (ssoMode) {
    return (
      <AuthLayout title={t('sso.signInTitle')} subtitle={t('sso.signInSubtitle')}>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            sso.mutate();
          }}
        >
          {sso.error && <Alert tone="error">{ssoErrorText(sso.error)}</Alert>}
          <TextField label={t('auth.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
          <Button type="submit" className="w-full" loading={sso.isPending || sso.isSuccess}>
            {t('sso.continue')}
          </Button>
          <button
            type="button"
            className={linkClass + ' block w-full text-center text-sm'}
            onClick={() => {
              setSsoMode(false);
              sso.reset();
            }}
          >
            {t('sso.usePassword')}
          </button>
        </form>
      </AuthLayout>
    );
  }

  if (challenge) {
    return (
      <AuthLayout title={t('signIn.twoFactorTitle')} subtitle={t('signIn.twoFactorSubtitle')}>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            verify.mutate();
          }}
        >
          {verify.error && <Alert tone="error">{errorMessage(verify.error)}</Alert>}
          <TextField
            label={t('signIn.code')}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            inputMode="text"
            autoComplete="one-time-code"
            required
            autoFocus
            hint={t('signIn.codeHint')}
          />
          <Button type="submit" className="w-full" loading={verify.isPending}>
            {t('signIn.verify')}
          </Button>
          <button
            type="button"
            className={linkClass + ' block w-full text-center text-sm'}
            onClick={() => {
              setChallenge(null);
              setCode('');
              verify.reset();
            }}
          >
            {t('signIn.back')}
          </button>
        </form>
      </AuthLayout>
    );
  }

  const invalid = login.error instanceof ApiError && login.error.code === 'invalid_credentials';
  const ssoRequired = login.error instanceof ApiError && login.error.code === 'sso_required';
  return (
    <AuthLayout
      title={t('signIn.title')}
      subtitle={t('signIn.subtitle')}
      footer={
        <>
          {t('signIn.noAccount')}{' '}
          <Link to="/sign-up" search={{ redirect: search.redirect }} className={linkClass}>
            {t('signUp.submit')}
          </Link>
        </>
      }
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate();
        }}
      >
        {login.error && <Alert tone="error">{invalid ? t('errors.invalid_credentials') : errorMessage(login.error)}</Alert>}
        <TextField label={t('auth.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        <div>
          <TextField
            label={t('auth.password')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          <div className="mt-2 text-right text-sm">
            <Link to="/forgot-password" className={linkClass}>
              {t('signIn.forgot')}
            </Link>
          </div>
        </div>
        <Button type="submit" className="w-full" loading={login.isPending}>
          {t('signIn.submit')}
        </Button>
        <Button
          type="button"
          variant={ssoRequired ? 'primary' : 'secondary'}
          className="w-full"
          onClick={() => {
            setSsoMode(true);
            login.reset();
          }}
        >
          {t('sso.continue')}
        </Button>
      </form>
    </AuthLayout>
  );
}
