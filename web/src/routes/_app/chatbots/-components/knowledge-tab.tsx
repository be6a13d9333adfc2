import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useToast } from '../../../../components/toast';
import { Alert, Card, cx, EmptyState, ErrorState, formatNumber, Spinner } from '../../../../components/ui';
import { api } from '../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { chatbotApi, knowledgeBasesQuery, type Bot } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { queryKeys } from '../../../../lib/query-keys';

/** Checkbox list of the organization's knowledge bases with their document counts. */
export function KnowledgeChecklist({
  selected,
  onChange,
  compact,
  disabled,
  pendingId,
}: {
  selected: string[];
  onChange: (ids: string[], changed: string) => void;
  compact?: boolean;
  disabled?: boolean;
  pendingId?: string | null;
}) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const bases = useQuery(knowledgeBasesQuery(org.id));
  if (bases.isPending)
    return (
      <p role="status" className="flex items-center gap-2 text-sm text-zinc-500">
        <Spinner className="size-4" /> {t('common.loading')}
      </p>
    );
  if (bases.isError) return <ErrorState message={errorMessage(bases.error)} onRetry={() => void bases.refetch()} />;
  if (bases.data.length === 0)
    return (
      <EmptyState
        title={t('bots.kb.none')}
        description={t('bots.kb.noneDesc')}
        action={
          <Link to="/knowledge" className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
            {t('bots.kb.create')}
          </Link>
        }
      />
    );
  // Attached ids whose base was deleted are dropped silently by the list below.
  return (
    <ul
      className={cx('divide-y divide-zinc-100 rounded-lg ring-1 ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800', compact && 'max-h-56 overflow-y-auto')}
    >
      {bases.data.map((kb) => {
        const checked = selected.includes(kb.id);
        return (
          <li key={kb.id} className="flex items-center gap-3 px-3 py-2.5">
            <input
              id={`kb-${kb.id}`}
              type="checkbox"
              className="size-4 rounded accent-indigo-600"
              checked={checked}
              disabled={disabled || pendingId === kb.id}
              onChange={() => onChange(checked ? selected.filter((id) => id !== kb.id) : [...selected, kb.id], kb.id)}
            />
            <label htmlFor={`kb-${kb.id}`} className="min-w-0 flex-1 cursor-pointer">
              <span className="block truncate text-sm font-medium">{kb.name}</span>
              <span className="block text-xs text-zinc-500">
                {t('kb.documents', { count: formatNumber(kb.documentCount, locale) })} · {t('kb.chunks', { count: formatNumber(kb.chunkCount, locale) })}
              </span>
            </label>
            {pendingId === kb.id && <Spinner className="size-4 text-zinc-400" />}
            {!compact && (
              <Link
                to="/knowledge/$kbId"
                params={{ kbId: kb.id }}
                className="shrink-0 text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                aria-label={t('bots.kb.open', { name: kb.name })}
              >
                {t('bots.kb.openShort')}
              </Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Each checkbox saves at once: there is nothing else on this tab to batch it with. */
export function KnowledgeTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const org = useOrg();
  const key = queryKeys.chatbots.detail(org.id, bot.id);
  const save = useMutation({
    mutationFn: ({ ids }: { ids: string[]; changed: string; attached: boolean }) =>
      api<Bot>(chatbotApi.bot(bot.id), { method: 'PUT', body: { knowledgeBaseIds: ids }, orgId: org.id }),
    onMutate: async ({ ids }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<Bot>(key);
      if (previous) queryClient.setQueryData<Bot>(key, { ...previous, knowledgeBaseIds: ids });
      return { previous };
    },
    onSuccess: async (updated, { attached }) => {
      queryClient.setQueryData(key, updated);
      toast.success(attached ? t('bots.kb.attached') : t('bots.kb.detached'));
      await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(org.id) });
    },
    onError: (_e, _vars, ctx) => {
      if (ctx?.previous) queryClient.setQueryData(key, ctx.previous);
    },
  });
  const ids = bot.knowledgeBaseIds ?? [];
  return (
    <Card title={t('bots.kb.title')} description={t('bots.kb.desc')}>
      <div className="space-y-4">
        {ids.length === 0 && <Alert tone="warning">{t('bots.kb.emptyWarning')}</Alert>}
        <KnowledgeChecklist
          selected={ids}
          disabled={!canWrite}
          pendingId={save.isPending ? save.variables?.changed : null}
          onChange={(next, changed) => save.mutate({ ids: next, changed, attached: next.includes(changed) })}
        />
      </div>
    </Card>
  );
}
