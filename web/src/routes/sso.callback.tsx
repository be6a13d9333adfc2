import { useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Link, useRouter } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { AuthLayout, linkClass } from '../components/chrome';
import { Alert, Spinner } from '../components/ui';
import { api, ApiError } from '../lib/api';
import type { Schemas } from '../lib/api-contract';
import { useErrorMessage, useT } from '../lib/i18n';
import { en, type MessageKey } from '../lib/messages';
import { setCurrentOrgId } from '../lib/org';
import { startSession } from '../lib/session';

/**
 * Where the identity provider sends the browser back: the query string goes to the API as is,
 * which checks it all; the person lands in the organization whose single sign-on let them in.
 */
export const Route = createFileRoute('/sso/callback')({ component: SsoCallback });

function SsoCallback() {
  const t = useT();
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  // A state is used once: React's development double effect must not post it twice.
  const posted = useRef(false);

  useEffect(() => {
    if (posted.current) return;
    posted.current = true;
    api<Schemas['SsoSession']>('/api/v1/auth/sso/callback', { method: 'POST', body: { query: window.location.search }, orgId: null })
      .then((session) => {
        startSession(queryClient, session.accessToken);
        setCurrentOrgId(session.organizationId);
        router.history.replace('/');
      })
      .catch(setError);
  }, [queryClient, router]);

  if (!error) {
    return (
      <AuthLayout title={t('sso.completing')}>
        <div className="flex justify-center py-6">
          <Spinner className="size-6" />
        </div>
      </AuthLayout>
    );
  }
  const reason = error instanceof ApiError ? (error.details as { reason?: string } | undefined)?.reason : undefined;
  const key = `sso.reason.${reason}` as MessageKey;
  return (
    <AuthLayout title={t('sso.failedTitle')}>
      <div className="space-y-4">
        <Alert tone="error">{reason && key in en ? t(key) : errorMessage(error)}</Alert>
        <Link to="/sign-in" search={{}} className={linkClass + ' block text-center text-sm'}>
          {t('sso.tryAgain')}
        </Link>
      </div>
    </AuthLayout>
  );
}

