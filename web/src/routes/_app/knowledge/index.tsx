import { useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Alert, Badge, Button, EmptyState, formatDate, formatNumber, PageHeader } from '../../../components/ui';
import { useLocale, useT } from '../../../lib/i18n';
import { hasRole, knowledgeBasesQuery, type KnowledgeBase } from '../../../lib/queries';
import { useOrg } from '../../../lib/use-org';
import { CreateKnowledgeBaseDialog } from './-components/create-kb-dialog';
import { KbIcon } from './-components/shared';

export const Route = createFileRoute('/_app/knowledge/')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(knowledgeBasesQuery(orgId));
  },
  component: KnowledgeBases,
});

function KnowledgeBases() {
  const t = useT();
  const org = useOrg();
  const canWrite = hasRole(org.role, 'admin');
  const { data: bases } = useSuspenseQuery(knowledgeBasesQuery(org.id));
  const [creating, setCreating] = useState(false);
  const createButton = canWrite && (
    <Button onClick={() => setCreating(true)}>
      <span aria-hidden="true">+</span> {t('kb.new')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('kb.title')} description={t('kb.subtitle')} actions={bases.length > 0 && createButton} />
      {!canWrite && (
        <div className="mb-6">
          <Alert>{t('kb.readOnly', { role: t(`role.${org.role}`) })}</Alert>
        </div>
      )}
      {bases.length === 0 ? (
        <div className="rounded-xl bg-white p-2 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
          <EmptyState
            title={t('kb.emptyTitle')}
            description={canWrite ? t('kb.emptyDesc') : `${t('kb.emptyDesc')} ${t('kb.emptyViewer')}`}
            action={createButton}
          />
        </div>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" aria-label={t('kb.title')}>
          {bases.map((kb) => (
            <li key={kb.id}>
              <KnowledgeBaseCard kb={kb} />
            </li>
          ))}
        </ul>
      )}
      {canWrite && <CreateKnowledgeBaseDialog open={creating} onClose={() => setCreating(false)} />}
    </>
  );
}

function KnowledgeBaseCard({ kb }: { kb: KnowledgeBase }) {
  const t = useT();
  const locale = useLocale();
  return (
    <Link
      to="/knowledge/$kbId"
      params={{ kbId: kb.id }}
      className="group flex h-full flex-col rounded-xl bg-white p-5 shadow-sm ring-1 ring-zinc-200 transition hover:shadow-md hover:ring-indigo-300 focus-visible:ring-2 focus-visible:ring-indigo-600 focus-visible:outline-none dark:bg-zinc-900 dark:ring-zinc-800 dark:hover:ring-indigo-700"
    >
      <div className="flex items-start gap-3">
        <KbIcon />
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-base font-semibold group-hover:text-indigo-700 dark:group-hover:text-indigo-300">{kb.name}</h2>
          <p className="text-xs text-zinc-500">{t('kb.updated', { date: formatDate(kb.updatedAt, locale) })}</p>
        </div>
      </div>
      <p className="mt-3 line-clamp-2 flex-1 text-sm text-zinc-600 dark:text-zinc-400">
        {kb.description || <span className="italic text-zinc-400">{t('kb.noDescription')}</span>}
      </p>
      <div className="mt-4 flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-zinc-100 pt-3 text-sm dark:border-zinc-800">
        <span className="text-zinc-700 dark:text-zinc-300">{t('kb.documents', { count: formatNumber(kb.documentCount, locale) })}</span>
        <span className="text-zinc-500">{t('kb.chunks', { count: formatNumber(kb.chunkCount, locale) })}</span>
        <span className="ml-auto">
          <Badge>{kb.embeddingModel}</Badge>
        </span>
      </div>
    </Link>
  );
}
