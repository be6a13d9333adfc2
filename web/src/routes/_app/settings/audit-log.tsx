import { useSuspenseInfiniteQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { Button, Card, DataTable, EmptyState, formatDate } from '../../../components/ui';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { auditLogQuery } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';

export const Route = createFileRoute('/_app/settings/audit-log')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureInfiniteQueryData(auditLogQuery(orgId));
  },
  component: AuditLog,
});

function AuditLog() {
  const t = useT();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const org = useOrg();
  const log = useSuspenseInfiniteQuery(auditLogQuery(org.id));
  const entries = log.data.pages.flatMap((p) => p.data);
  return (
    <Card title={t('settings.auditLog')} description={t('audit.desc')}>
      {entries.length === 0 ? (
        <EmptyState title={t('audit.empty')} />
      ) : (
        <>
          <DataTable className="-mx-5 -mt-5" columns={[{ label: t('audit.action') }, { label: t('audit.actor') }, { label: t('audit.target'), hiddenBelow: 'md' }, { label: 'IP', hiddenBelow: 'sm' }, { label: t('audit.when') }]}>
            {entries.map((e) => (
              <tr key={e.id}>
                <td className="px-5 py-3">
                  <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs dark:bg-zinc-800">{e.action}</code>
                </td>
                <td className="px-5 py-3">{e.actor ? <span title={e.actor.email}>{e.actor.name}</span> : <span className="text-zinc-500">{t('audit.system')}</span>}</td>
                <td className="hidden px-5 py-3 text-zinc-500 md:table-cell">{e.targetType ? `${e.targetType}${e.targetId ? ' · ' + e.targetId.slice(0, 8) : ''}` : '—'}</td>
                <td className="hidden px-5 py-3 font-mono text-xs text-zinc-500 sm:table-cell">{e.ip ?? '—'}</td>
                <td className="px-5 py-3 whitespace-nowrap text-zinc-500">{formatDate(e.createdAt, locale, true)}</td>
              </tr>
            ))}
          </DataTable>
          <div className="mt-4 flex items-center justify-center">
            {log.hasNextPage ? (
              <Button variant="secondary" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
                {t('audit.loadMore')}
              </Button>
            ) : (
              <p className="text-xs text-zinc-500">{t('audit.end')}</p>
            )}
          </div>
          {log.isFetchNextPageError && <p role="alert" className="mt-2 text-center text-sm text-red-600">{errorMessage(log.error)}</p>}
        </>
      )}
    </Card>
  );
}
