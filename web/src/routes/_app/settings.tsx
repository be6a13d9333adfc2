import { createFileRoute, Link, Outlet } from '@tanstack/react-router';
import { PageHeader } from '../../components/ui';
import { useT } from '../../lib/i18n';
import { hasRole } from '../../lib/queries';
import { useOrg } from '../../lib/use-org';

export const Route = createFileRoute('/_app/settings')({ component: SettingsLayout });

const tab =
  'whitespace-nowrap border-b-2 border-transparent px-1 pb-3 text-sm font-medium text-zinc-500 hover:border-zinc-300 hover:text-zinc-700 dark:text-zinc-400 dark:hover:text-zinc-200';
const tabActive = 'border-indigo-600! text-indigo-600! dark:border-indigo-400! dark:text-indigo-400!';

function SettingsLayout() {
  const t = useT();
  const org = useOrg();
  const isAdmin = hasRole(org.role, 'admin');
  return (
    <>
      <PageHeader title={t('settings.title')} description={t('settings.subtitle', { org: org.name })} />
      <nav aria-label={t('settings.title')} className="mb-6 flex gap-6 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        <Link to="/settings" activeOptions={{ exact: true }} className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
          {t('settings.organization')}
        </Link>
        <Link to="/settings/plan" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
          {t('settings.plan')}
        </Link>
        {isAdmin && (
          <>
            <Link to="/settings/api-keys" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('settings.apiKeys')}
            </Link>
            <Link to="/settings/providers" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('settings.providers')}
            </Link>
            <Link to="/settings/secrets" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('settings.secrets')}
            </Link>
            <Link to="/settings/sso" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('settings.sso')}
            </Link>
            <Link to="/settings/webhooks" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('nav.webhooks')}
            </Link>
            <Link to="/settings/privacy" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('settings.privacy')}
            </Link>
            <Link to="/settings/audit-log" className={tab} activeProps={{ className: tabActive, 'aria-current': 'page' }}>
              {t('settings.auditLog')}
            </Link>
          </>
        )}
      </nav>
      <Outlet />
    </>
  );
}
