import { useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Badge, Button, ConfirmDialog, cx, formatNumber } from '../../../../components/ui';
import { api } from '../../../../lib/api';
import { useLocale, useT } from '../../../../lib/i18n';
import { hasRole, knowledgeApi, knowledgeBaseQuery, type DocumentStatus } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { DocumentsTab } from '../-components/documents-tab';
import { SearchTab } from '../-components/search-tab';
import { SettingsTab } from '../-components/settings-tab';
import { KbIcon } from '../-components/shared';
import { queryKeys } from '../../../../lib/query-keys';

const TABS = ['documents', 'search', 'settings'] as const;
type Tab = (typeof TABS)[number];
const STATUSES: DocumentStatus[] = ['pending', 'processing', 'ready', 'failed'];

export interface KbSearch {
  tab?: Tab;
  /** Documents tab filters. */
  status?: DocumentStatus;
  q?: string;
}

export const Route = createFileRoute('/_app/knowledge/$kbId/')({
  validateSearch: (search: Record<string, unknown>): KbSearch => ({
    tab: TABS.includes(search.tab as Tab) && search.tab !== 'documents' ? (search.tab as Tab) : undefined,
    status: STATUSES.includes(search.status as DocumentStatus) ? (search.status as DocumentStatus) : undefined,
    q: typeof search.q === 'string' && search.q.trim() ? search.q : undefined,
  }),
  loader: ({ context: { queryClient, orgId }, params: { kbId } }) => {
    if (orgId) return queryClient.ensureQueryData(knowledgeBaseQuery(orgId, kbId));
  },
  component: KnowledgeBasePage,
});

const tabClass =
  'whitespace-nowrap border-b-2 border-transparent px-1 pb-3 text-sm font-medium text-zinc-500 hover:border-zinc-300 hover:text-zinc-700 dark:text-zinc-400 dark:hover:text-zinc-200';
const tabActive = 'border-indigo-600! text-indigo-600! dark:border-indigo-400! dark:text-indigo-400!';

function KnowledgeBasePage() {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const { kbId } = Route.useParams();
  const search = Route.useSearch();
  const tab = search.tab ?? 'documents';
  const { data: kb } = useSuspenseQuery(knowledgeBaseQuery(org.id, kbId));
  const canWrite = hasRole(org.role, 'admin');

  return (
    <>
      <nav aria-label={t('kb.breadcrumb')} className="mb-3 text-sm">
        <Link to="/knowledge" className="font-medium text-zinc-500 hover:text-zinc-800 dark:hover:text-zinc-200">
          ← {t('kb.title')}
        </Link>
      </nav>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-start gap-4">
          <KbIcon className="mt-0.5 hidden sm:flex" />
          <div className="min-w-0">
            <h1 className="text-2xl font-semibold tracking-tight break-words">{kb.name}</h1>
            {kb.description && <p className="mt-1 max-w-2xl text-sm text-zinc-500 dark:text-zinc-400">{kb.description}</p>}
            <p className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
              <span>{t('kb.documents', { count: formatNumber(kb.documentCount, locale) })}</span>
              <span aria-hidden="true">·</span>
              <span>{t('kb.chunks', { count: formatNumber(kb.chunkCount, locale) })}</span>
              <Badge>{kb.embeddingModel}</Badge>
            </p>
          </div>
        </div>
        {canWrite && <ReindexButton kbId={kb.id} documentCount={kb.documentCount} />}
      </div>
      {!canWrite && (
        <div className="mb-6">
          <Alert>{t('kb.readOnly', { role: t(`role.${org.role}`) })}</Alert>
        </div>
      )}
      <nav aria-label={kb.name} className="mb-6 flex gap-6 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        {TABS.map((id) => (
          <Link
            key={id}
            from="/knowledge/$kbId/"
            to="/knowledge/$kbId"
            params={{ kbId }}
            search={(prev) => ({ ...prev, tab: id === 'documents' ? undefined : id })}
            // Exact search match: otherwise the default tab (no `tab` param) counts as active on every tab.
            activeOptions={{ exact: true, includeSearch: true }}
            className={cx(tabClass, tab === id && tabActive)}
            aria-current={tab === id ? 'page' : undefined}
          >
            {t(`kb.tab.${id}`)}
          </Link>
        ))}
      </nav>
      {tab === 'documents' && <DocumentsTab kb={kb} canWrite={canWrite} status={search.status} q={search.q} />}
      {tab === 'search' && <SearchTab kb={kb} />}
      {tab === 'settings' && <SettingsTab key={kb.id} kb={kb} canWrite={canWrite} />}
    </>
  );
}

function ReindexButton({ kbId, documentCount }: { kbId: string; documentCount: number }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [open, setOpen] = useState(false);
  const reindex = useMutation({
    mutationFn: () => api(`${knowledgeApi.base(kbId)}/reindex`, { method: 'POST', body: {}, orgId: org.id }),
    onSuccess: async () => {
      setOpen(false);
      toast.info(t('kb.reindexStarted'));
      await queryClient.invalidateQueries({ queryKey: queryKeys.documents.ofBase(org.id, kbId) });
    },
  });
  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} disabled={documentCount === 0}>
        {t('kb.reindex')}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        onConfirm={() => reindex.mutate()}
        pending={reindex.isPending}
        title={t('kb.reindexTitle')}
        description={t('kb.reindexBody', { count: documentCount })}
        confirmLabel={t('kb.reindex')}
      />
    </>
  );
}
