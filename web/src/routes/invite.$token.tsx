import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createFileRoute, Link, useRouter } from '@tanstack/react-router';
import { AuthLayout, linkClass } from '../components/chrome';
import { useToast } from '../components/toast';
import { Alert, Button, formatDate, PageLoader } from '../components/ui';
import { OWN_ERROR } from '../lib/mutation-errors';
import type { ApiResponse } from '../lib/api-contract';
import { api } from '../lib/api';
import { useErrorMessage, useLocale, useT } from '../lib/i18n';
import { setCurrentOrgId } from '../lib/org';
import { invitationPreviewQuery } from '../lib/queries';
import { ensureSession } from '../lib/session';
import { queryKeys } from '../lib/query-keys';

export const Route = createFileRoute('/invite/$token')({
  beforeLoad: async () => ({ signedIn: await ensureSession() }),
  component: Invite,
});

function Invite() {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { token } = Route.useParams();
  const { signedIn } = Route.useRouteContext();
  const preview = useQuery(invitationPreviewQuery(token));
  const here = `/invite/${token}`;

  const accept = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<ApiResponse<'/api/v1/invitations/accept', 'post'>>('/api/v1/invitations/accept', { method: 'POST', body: { token }, orgId: null }),
    onSuccess: async ({ organization }) => {
      setCurrentOrgId(organization.id);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.organizations.list() }),
        queryClient.invalidateQueries({ queryKey: queryKeys.profile() }),
      ]);
      toast.success(t('invite.joined', { name: organization.name }));
      router.history.push('/');
    },
  });

  return (
    <AuthLayout title={t('invite.title')}>
      {preview.isPending ? (
        <PageLoader />
      ) : preview.isError ? (
        <Alert tone="error">{t('invite.invalid')}</Alert>
      ) : (
        <div className="space-y-5">
          <p className="text-sm text-zinc-600 dark:text-zinc-300">
            {t('invite.body', { org: preview.data.organizationName, role: t(`role.${preview.data.role}`) })}
          </p>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-lg bg-zinc-50 p-4 text-sm dark:bg-zinc-800/60">
            <dt className="text-zinc-500">{t('auth.email')}</dt>
            <dd className="font-medium">{preview.data.email}</dd>
            <dt className="text-zinc-500">{t('invite.expires')}</dt>
            <dd>{formatDate(preview.data.expiresAt, locale, true)}</dd>
          </dl>
          {accept.error && <Alert tone="error">{errorMessage(accept.error)}</Alert>}
          {signedIn ? (
            <Button className="w-full" loading={accept.isPending} onClick={() => accept.mutate()}>
              {t('invite.accept')}
            </Button>
          ) : (
            <div className="space-y-3">
              <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('invite.signInFirst')}</p>
              <div className="grid gap-2 sm:grid-cols-2">
                <Link to="/sign-in" search={{ redirect: here }} className="rounded-lg bg-indigo-600 px-3.5 py-2 text-center text-sm font-medium text-white hover:bg-indigo-500">
                  {t('signIn.submit')}
                </Link>
                <Link
                  to="/sign-up"
                  search={{ redirect: here, email: preview.data.email }}
                  className="rounded-lg px-3.5 py-2 text-center text-sm font-medium ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"
                >
                  {t('signUp.submit')}
                </Link>
              </div>
            </div>
          )}
          <Link to="/" className={linkClass + ' block text-center text-sm'}>
            {t('notFound.home')}
          </Link>
        </div>
      )}
    </AuthLayout>
  );
}
