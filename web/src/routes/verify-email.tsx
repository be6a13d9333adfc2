import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import { AuthLayout } from '../components/chrome';
import { Alert, Button, Spinner } from '../components/ui';
import type { ApiResponse } from '../lib/api-contract';
import { api } from '../lib/api';
import { useErrorMessage, useT } from '../lib/i18n';
import { queryKeys } from '../lib/query-keys';

export const Route = createFileRoute('/verify-email')({
  validateSearch: (search: Record<string, unknown>): { token?: string } => ({
    token: typeof search.token === 'string' ? search.token : undefined,
  }),
  component: VerifyEmail,
});

function VerifyEmail() {
  const t = useT();
  const errorMessage = useErrorMessage();
  const { token } = Route.useSearch();
  const queryClient = useQueryClient();
  // A token is single-use: never refetch or retry it.
  const result = useQuery({
    queryKey: queryKeys.verifyEmail(token),
    queryFn: () => api<ApiResponse<'/api/v1/auth/verify-email'>>(`/api/v1/auth/verify-email?token=${encodeURIComponent(token ?? '')}`, { orgId: null }),
    enabled: !!token,
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    if (result.isSuccess) void queryClient.invalidateQueries({ queryKey: queryKeys.profile() });
  }, [result.isSuccess, queryClient]);

  return (
    <AuthLayout title={t('verify.title')}>
      {!token ? (
        <Alert tone="error">{t('verify.missingToken')}</Alert>
      ) : result.isPending ? (
        <p role="status" className="flex items-center gap-2 text-sm text-zinc-500">
          <Spinner /> {t('verify.checking')}
        </p>
      ) : result.isError ? (
        <Alert tone="error">
          {t('verify.failed')} {errorMessage(result.error)}
        </Alert>
      ) : (
        <Alert tone="success">{t('verify.done')}</Alert>
      )}
      <Link to="/" className="mt-6 block">
        <Button className="w-full" tabIndex={-1}>
          {t('verify.continue')}
        </Button>
      </Link>
    </AuthLayout>
  );
}
