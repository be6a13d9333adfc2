import { useInfiniteQuery, useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useToast } from '../../../../../components/toast';
import {
  Alert,
  Button,
  Card,
  EmptyState,
  ErrorState,
  formatBytes,
  formatDate,
  formatNumber,
  ProgressBar,
  SelectField,
  Spinner,
} from '../../../../../components/ui';
import { api } from '../../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../../lib/i18n';
import {
  chunksQuery,
  documentQuery,
  documentsQuery,
  hasRole,
  isInProgress,
  knowledgeApi,
  knowledgeBaseQuery,
  type KnowledgeDocument,
  type RefreshSchedule,
} from '../../../../../lib/queries';
import { useOrg } from '../../../../../lib/use-org';
import { Location } from '../../-components/search-tab';
import { DocumentStatus, documentKind, Fact, sourceDetail, SourceIcon, StatusBadge, useDocumentActions } from '../../-components/shared';
import { queryKeys } from '../../../../../lib/query-keys';

export const Route = createFileRoute('/_app/knowledge/$kbId/documents/$docId')({
  loader: ({ context: { queryClient, orgId }, params: { kbId, docId } }) => {
    if (!orgId) return;
    return Promise.all([queryClient.ensureQueryData(knowledgeBaseQuery(orgId, kbId)), queryClient.ensureQueryData(documentQuery(orgId, kbId, docId))]);
  },
  component: DocumentPage,
});

function DocumentPage() {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { kbId, docId } = Route.useParams();
  const { data: kb } = useSuspenseQuery(knowledgeBaseQuery(org.id, kbId));
  const { data: doc } = useSuspenseQuery(documentQuery(org.id, kbId, docId));
  const parent = useQuery({ ...documentQuery(org.id, kbId, doc.parentId ?? ''), enabled: !!doc.parentId });
  const canWrite = hasRole(org.role, 'admin');
  const actions = useDocumentActions({
    orgId: org.id,
    kbId,
    onDeleted: () => void navigate({ to: '/knowledge/$kbId', params: { kbId } }),
  });

  // When processing finishes, the chunk list and the knowledge base's counts are out of date.
  const wasWorking = useRef(isInProgress(doc));
  useEffect(() => {
    const working = isInProgress(doc);
    if (wasWorking.current && !working) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.documents.chunks(org.id, kbId, docId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id) });
    }
    wasWorking.current = working;
  }, [doc, queryClient, org.id, kbId, docId]);

  const isWeb = doc.source === 'url' || doc.source === 'website';

  return (
    <>
      <nav aria-label={t('kb.breadcrumb')} className="mb-3 flex min-w-0 flex-wrap items-center gap-1.5 text-sm text-zinc-500">
        <Link to="/knowledge" className="font-medium hover:text-zinc-800 dark:hover:text-zinc-200">
          {t('kb.title')}
        </Link>
        <span aria-hidden="true">/</span>
        <Link to="/knowledge/$kbId" params={{ kbId }} className="max-w-48 truncate font-medium hover:text-zinc-800 dark:hover:text-zinc-200">
          {kb.name}
        </Link>
        {parent.data && (
          <>
            <span aria-hidden="true">/</span>
            <Link
              to="/knowledge/$kbId/documents/$docId"
              params={{ kbId, docId: parent.data.id }}
              className="max-w-48 truncate font-medium hover:text-zinc-800 dark:hover:text-zinc-200"
            >
              {parent.data.name}
            </Link>
          </>
        )}
      </nav>

      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-start gap-3">
          <SourceIcon source={doc.source} />
          <div className="min-w-0">
            <h1 className="text-2xl font-semibold tracking-tight break-words">{doc.name}</h1>
            <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-zinc-500">
              <StatusBadge status={doc.status} />
              <span>{t(`source.${doc.source}`)}</span>
              {sourceDetail(doc) && !doc.sourceUrl && <span>· {sourceDetail(doc)}</span>}
            </p>
          </div>
        </div>
        {canWrite && (
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => actions.run('rename', doc)}>
              {t('docs.rename')}
            </Button>
            {isWeb && (
              <Button variant="secondary" onClick={() => actions.run('refresh', doc)} disabled={isInProgress(doc)} loading={actions.pending?.action === 'refresh'}>
                {t('docs.refresh')}
              </Button>
            )}
            <Button variant="secondary" onClick={() => actions.run('reprocess', doc)} disabled={isInProgress(doc)} loading={actions.pending?.action === 'reprocess'}>
              {t('docs.reprocess')}
            </Button>
            <Button variant="danger" onClick={() => actions.run('delete', doc)}>
              {t('common.delete')}
            </Button>
          </div>
        )}
      </div>

      <div className="space-y-6">
        {doc.status === 'failed' && (
          <Alert tone="error">
            <p className="font-medium">{t('doc.failedTitle')}</p>
            <p className="mt-1">{doc.error ?? t('errors.unknown')}</p>
          </Alert>
        )}
        {isInProgress(doc) && (
          <Card>
            <DocumentStatus doc={doc} />
          </Card>
        )}

        <Card title={t('doc.details')}>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-3 lg:grid-cols-4">
            <div className="col-span-2 min-w-0 sm:col-span-3 lg:col-span-4">
              <dt className="text-xs font-medium text-zinc-500">{t('doc.source')}</dt>
              <dd className="mt-0.5 truncate text-sm">
                {doc.sourceUrl ? (
                  <a href={doc.sourceUrl} target="_blank" rel="noopener noreferrer" className="text-indigo-700 hover:underline dark:text-indigo-300">
                    {doc.sourceUrl}
                    <span className="sr-only"> ({t('common.newTab')})</span>
                  </a>
                ) : (
                  t(`source.${doc.source}`)
                )}
              </dd>
            </div>
            <Fact label={t('doc.type')}>{documentKind(doc, t)}</Fact>
            <Fact label={t('docs.size')}>{formatBytes(doc.sizeBytes, locale)}</Fact>
            <Fact label={t('docs.pages')}>{formatNumber(doc.pageCount, locale)}</Fact>
            <Fact label={t('docs.chunks')}>{formatNumber(doc.chunkCount, locale)}</Fact>
            <Fact label={t('docs.tokens')}>{formatNumber(doc.tokenCount, locale)}</Fact>
            <Fact label={t('doc.created')}>{formatDate(doc.createdAt, locale, true)}</Fact>
            <Fact label={t('docs.updated')}>{formatDate(doc.updatedAt, locale, true)}</Fact>
            {isWeb && <Fact label={t('doc.lastRefreshed')}>{formatDate(doc.lastRefreshedAt, locale, true)}</Fact>}
          </dl>
          {isWeb && !doc.parentId && <ScheduleEditor doc={doc} canWrite={canWrite} />}
        </Card>

        {doc.source === 'website' && <CrawlCard doc={doc} />}
        <ChunksCard doc={doc} />
      </div>
      {actions.dialogs}
    </>
  );
}

function ScheduleEditor({ doc, canWrite }: { doc: KnowledgeDocument; canWrite: boolean }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const org = useOrg();
  const save = useMutation({
    mutationFn: (refreshSchedule: RefreshSchedule | null) =>
      api<KnowledgeDocument>(knowledgeApi.document(doc.knowledgeBaseId, doc.id), { method: 'PUT', body: { refreshSchedule }, orgId: org.id }),
    onSuccess: (updated) => {
      toast.success(t('doc.scheduleSaved'));
      queryClient.setQueryData(documentQuery(org.id, doc.knowledgeBaseId, doc.id).queryKey, updated);
    },
  });
  return (
    <div className="mt-5 flex flex-wrap items-end gap-3 border-t border-zinc-100 pt-5 dark:border-zinc-800">
      <SelectField
        className="w-full sm:w-72"
        label={t('schedule.label')}
        value={doc.refreshSchedule ?? ''}
        disabled={!canWrite || save.isPending}
        onChange={(e) => save.mutate((e.target.value || null) as RefreshSchedule | null)}
        hint={t('schedule.hint')}
      >
        <option value="">{t('schedule.none')}</option>
        <option value="daily">{t('schedule.daily')}</option>
        <option value="weekly">{t('schedule.weekly')}</option>
      </SelectField>
      {save.isPending && <Spinner className="mb-8 size-4 text-zinc-400" />}
    </div>
  );
}

function CrawlCard({ doc }: { doc: KnowledgeDocument }) {
  const t = useT();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const org = useOrg();
  const pages = useInfiniteQuery(documentsQuery(org.id, doc.knowledgeBaseId, { parentId: doc.id }));
  const list = pages.data?.pages.flatMap((p) => p.data) ?? [];
  const crawl = doc.crawl;
  return (
    <Card
      title={t('doc.crawl')}
      description={crawl ? t('doc.crawlDesc', { maxPages: crawl.maxPages, maxDepth: crawl.maxDepth }) : undefined}
    >
      {crawl && (
        <div className="mb-5">
          <dl className="grid grid-cols-3 gap-4">
            <Fact label={t('doc.pagesFound')}>{formatNumber(crawl.pagesFound, locale)}</Fact>
            <Fact label={t('doc.pagesDone')}>{formatNumber(crawl.pagesDone, locale)}</Fact>
            <Fact label={t('doc.pagesFailed')}>{formatNumber(crawl.pagesFailed, locale)}</Fact>
          </dl>
          {crawl.pagesFound > 0 && (
            <ProgressBar
              className="mt-3"
              value={(crawl.pagesDone + crawl.pagesFailed) / crawl.pagesFound}
              label={t('docs.crawlProgress', { done: crawl.pagesDone, found: crawl.pagesFound })}
            />
          )}
        </div>
      )}
      <h3 className="mb-2 text-sm font-semibold">{t('doc.crawledPages')}</h3>
      {pages.isPending ? (
        <div role="status" className="flex justify-center py-4 text-zinc-400">
          <Spinner />
          <span className="sr-only">{t('common.loading')}</span>
        </div>
      ) : pages.isError ? (
        <ErrorState message={errorMessage(pages.error)} onRetry={() => void pages.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title={t('doc.noPages')} />
      ) : (
        <>
          <ul className="-mx-5 divide-y divide-zinc-100 border-y border-zinc-100 dark:divide-zinc-800 dark:border-zinc-800" aria-label={t('doc.crawledPages')}>
            {list.map((p) => (
              <li key={p.id} className="flex flex-wrap items-start gap-3 px-5 py-3">
                <div className="min-w-0 flex-1">
                  <Link
                    to="/knowledge/$kbId/documents/$docId"
                    params={{ kbId: doc.knowledgeBaseId, docId: p.id }}
                    className="block truncate text-sm font-medium hover:text-indigo-700 hover:underline dark:hover:text-indigo-300"
                  >
                    {p.name}
                  </Link>
                  {p.sourceUrl && <p className="truncate text-xs text-zinc-500">{p.sourceUrl}</p>}
                </div>
                <span className="text-xs text-zinc-500 tabular-nums">{t('kb.chunks', { count: formatNumber(p.chunkCount, locale) })}</span>
                <DocumentStatus doc={p} compact />
              </li>
            ))}
          </ul>
          {pages.hasNextPage && (
            <div className="mt-3 flex justify-center">
              <Button variant="secondary" size="sm" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

function ChunksCard({ doc }: { doc: KnowledgeDocument }) {
  const t = useT();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const org = useOrg();
  const chunks = useInfiniteQuery(chunksQuery(org.id, doc.knowledgeBaseId, doc.id));
  const list = chunks.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card title={t('doc.chunksTitle')} description={t('doc.chunksDesc')}>
      {chunks.isPending ? (
        <div role="status" className="flex justify-center py-6 text-zinc-400">
          <Spinner />
          <span className="sr-only">{t('common.loading')}</span>
        </div>
      ) : chunks.isError ? (
        <ErrorState message={errorMessage(chunks.error)} onRetry={() => void chunks.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title={t('doc.noChunks')} description={isInProgress(doc) ? t('doc.noChunksPending') : undefined} />
      ) : (
        <>
          <ol className="space-y-3" aria-label={t('doc.chunksTitle')}>
            {list.map((c) => (
              <li key={c.id} className="rounded-lg bg-zinc-50 p-4 ring-1 ring-zinc-200 dark:bg-zinc-800/40 dark:ring-zinc-800">
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-500">
                  <span className="font-semibold text-zinc-700 dark:text-zinc-300">{t('search.chunk', { position: c.position + 1 })}</span>
                  <span>{t('doc.tokens', { count: formatNumber(c.tokenCount, locale) })}</span>
                </div>
                <Location location={c.location} url={c.location.url} />
                <p className="mt-2 text-sm leading-relaxed whitespace-pre-line text-zinc-800 dark:text-zinc-200">{c.content}</p>
              </li>
            ))}
          </ol>
          {chunks.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button variant="secondary" loading={chunks.isFetchingNextPage} onClick={() => void chunks.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
