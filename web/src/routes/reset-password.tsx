import { useMutation } from '@tanstack/react-query';
import { createFileRoute, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { AuthLayout, linkClass } from '../components/chrome';
import { useToast } from '../components/toast';
import { Alert, Button, NewPasswordField, TextField } from '../components/ui';
import { OWN_ERROR } from '../lib/mutation-errors';
import { api, fieldErrorOf } from '../lib/api';
import { useErrorMessage, useT } from '../lib/i18n';

export const Route = createFileRoute('/reset-password')({
  validateSearch: (search: Record<string, unknown>): { token?: string } => ({
    token: typeof search.token === 'string' ? search.token : undefined,
  }),
  component: ResetPassword,
});

function ResetPassword() {
  const t = useT();
  const toast = useToast();
  const navigate = useNavigate();
  const errorMessage = useErrorMessage();
  const { token } = Route.useSearch();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm.length > 0 && confirm !== password;
  const reset = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api('/api/v1/auth/reset-password', { method: 'POST', body: { token, password }, orgId: null }),
    onSuccess: () => {
      toast.success(t('reset.done'));
      void navigate({ to: '/sign-in' });
    },
  });
  const fieldError = fieldErrorOf(reset.error, 'password');
  return (
    <AuthLayout
      title={t('reset.title')}
      footer={
        <Link to="/sign-in" className={linkClass}>
          {t('forgot.back')}
        </Link>
      }
    >
      {!token ? (
        <Alert tone="error">{t('reset.missingToken')}</Alert>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (!mismatch) reset.mutate();
          }}
        >
          {reset.error && !fieldError && <Alert tone="error">{errorMessage(reset.error)}</Alert>}
          <NewPasswordField
            label={t('reset.newPassword')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoFocus
            error={fieldError}
          />
          <TextField
            label={t('reset.confirm')}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            required
            error={mismatch ? t('reset.mismatch') : undefined}
          />
          <Button type="submit" className="w-full" loading={reset.isPending} disabled={mismatch}>
            {t('reset.submit')}
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
