import { useMutation } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { AuthLayout, linkClass } from '../components/chrome';
import { Alert, Button, TextField } from '../components/ui';
import { OWN_ERROR } from '../lib/mutation-errors';
import { api } from '../lib/api';
import { useErrorMessage, useT } from '../lib/i18n';

export const Route = createFileRoute('/forgot-password')({ component: ForgotPassword });

function ForgotPassword() {
  const t = useT();
  const errorMessage = useErrorMessage();
  const [email, setEmail] = useState('');
  const send = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api('/api/v1/auth/forgot-password', { method: 'POST', body: { email }, orgId: null }),
  });
  return (
    <AuthLayout
      title={t('forgot.title')}
      subtitle={t('forgot.subtitle')}
      footer={
        <Link to="/sign-in" className={linkClass}>
          {t('forgot.back')}
        </Link>
      }
    >
      {send.isSuccess ? (
        <Alert tone="success">{t('forgot.sent', { email })}</Alert>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate();
          }}
        >
          {send.error && <Alert tone="error">{errorMessage(send.error)}</Alert>}
          <TextField label={t('auth.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
          <Button type="submit" className="w-full" loading={send.isPending}>
            {t('forgot.submit')}
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
