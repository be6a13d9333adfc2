import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useMemo } from 'react';
import { Alert, Button, Card } from '../../../components/ui';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import type { ApiResponse } from '../../../lib/api-contract';
import { api } from '../../../lib/api';
import { useErrorMessage, useT } from '../../../lib/i18n';
import { createSampleShop, SAMPLE_SHOP, sampleShopPage, type ApiCall } from '../../../../../functions/core/demo/sample-shop';
import { queryKeys } from '../../../lib/query-keys';

/** The recipe's requests through the dashboard's own client, in this organization. */
function dashboardApi(orgId: string): ApiCall {
  return <T,>(method: 'GET' | 'POST', path: string, body?: unknown) => api<T>(path, { method, body, orgId });
}

/** Documents are ingested in the background: poll until every one is ready. */
function useDocumentsReady(orgId: string, knowledgeBaseId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.documents.sampleShop(orgId, knowledgeBaseId),
    enabled: Boolean(knowledgeBaseId),
    queryFn: async () => {
      const page = await api<ApiResponse<'/api/v1/knowledge-bases/{kb_id}/documents'>>(`/api/v1/knowledge-bases/${knowledgeBaseId}/documents?limit=100`, { orgId });
      return { ready: page.data.filter((d) => d.status === 'ready').length, total: page.data.length };
    },
    refetchInterval: (query) => (query.state.data && query.state.data.total > 0 && query.state.data.ready === query.state.data.total ? false : 1000),
  });
}

/**
 * "Try it with a sample shop": creates the sample flower shop in this organization and links to
 * its page (served from this origin as a blob; `npm run dev -- --demo` serves it on another one).
 */
export function SampleShopCard({ orgId, onStart }: { orgId: string; onStart?: () => void }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => createSampleShop(dashboardApi(orgId)),
    onMutate: () => onStart?.(),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.root() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.root() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.usage.root() });
    },
  });
  const shop = create.data;
  const documents = useDocumentsReady(orgId, shop?.knowledgeBaseId);
  const ready = documents.data && documents.data.total > 0 && documents.data.ready === documents.data.total;
  const pageUrl = useMemo(
    () => (shop ? URL.createObjectURL(new Blob([sampleShopPage({ widgetOrigin: window.location.origin, botId: shop.botId })], { type: 'text/html' })) : null),
    [shop],
  );
  useEffect(() => () => void (pageUrl && URL.revokeObjectURL(pageUrl)), [pageUrl]);

  return (
    <Card className="mt-6" title={t('sample.title')} description={t('sample.desc')}>
      {!shop ? (
        <div className="space-y-3">
          {create.error && <Alert tone="error">{errorMessage(create.error)}</Alert>}
          <Button loading={create.isPending} onClick={() => create.mutate()}>
            {create.isPending ? t('sample.creating') : t('sample.create')}
          </Button>
        </div>
      ) : (
        <div className="space-y-3">
          <Alert tone={ready ? 'success' : 'info'}>
            {ready ? t('sample.ready', { question: SAMPLE_SHOP.question }) : t('sample.preparing', { ready: String(documents.data?.ready ?? 0), total: String(documents.data?.total ?? 4) })}
          </Alert>
          <div className="flex flex-wrap gap-3">
            {pageUrl && (
              <a
                href={pageUrl}
                target="_blank"
                rel="noopener"
                className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500"
              >
                {t('sample.openPage')}
              </a>
            )}
            <Link
              to="/chatbots/$botId"
              params={{ botId: shop.botId }}
              search={{ tab: 'install' }}
              className="inline-flex items-center gap-2 rounded-lg px-3.5 py-2 text-sm font-medium ring-1 ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"
            >
              {t('sample.openBot')}
            </Link>
          </div>
        </div>
      )}
    </Card>
  );
}
