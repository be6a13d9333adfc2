import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Link, redirect, useRouter } from '@tanstack/react-router';
import { useState } from 'react';
import { AuthLayout, linkClass } from '../components/chrome';
import { Alert, Button, NewPasswordField, TextField } from '../components/ui';
import { OWN_ERROR } from '../lib/mutation-errors';
import type { ApiResponse } from '../lib/api-contract';
import { api, ApiError, fieldErrorOf, hasFieldErrors } from '../lib/api';
import { useErrorMessage, useLocale, useT } from '../lib/i18n';
import { ensureSession, safeRedirect, startSession } from '../lib/session';

export const Route = createFileRoute('/sign-up')({
  validateSearch: (search: Record<string, unknown>): { redirect?: string; email?: string } => ({
    redirect: safeRedirect(search.redirect),
    email: typeof search.email === 'string' ? search.email : undefined,
  }),
  beforeLoad: async ({ search }) => {
    if (await ensureSession()) throw redirect({ href: search.redirect ?? '/' });
  },
  component: SignUp,
});

function SignUp() {
  const t = useT();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const search = Route.useSearch();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState(search.email ?? '');
  const [password, setPassword] = useState('');

  const register = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<ApiResponse<'/api/v1/auth/register', 'post'>>('/api/v1/auth/register', {
        method: 'POST',
        body: { name, email, password, locale },
        orgId: null,
      }),
    onSuccess: (result) => {
      startSession(queryClient, result.accessToken);
      router.history.push(search.redirect ?? '/');
    },
  });
  const fieldError = (p: string) => fieldErrorOf(register.error, p);
  const conflict = register.error instanceof ApiError && register.error.code === 'conflict';

  return (
    <AuthLayout
      title={t('signUp.title')}
      subtitle={t('signUp.subtitle')}
      footer={
        <>
          {t('signUp.haveAccount')}{' '}
          <Link to="/sign-in" search={{ redirect: search.redirect }} className={linkClass}>
            {t('signIn.submit')}
          </Link>
        </>
      }
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          register.mutate();
        }}
      >
        {register.error && !hasFieldErrors(register.error) && (
          <Alert tone="error">{conflict ? t('signUp.emailTaken') : errorMessage(register.error)}</Alert>
        )}
        <TextField label={t('auth.name')} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus error={fieldError('name')} />
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          error={fieldError('email')}
        />
        <NewPasswordField
          label={t('auth.password')}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldError('password')}
        />
        <Button type="submit" className="w-full" loading={register.isPending}>
          {t('signUp.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}
