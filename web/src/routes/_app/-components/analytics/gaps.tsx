/**
 * Knowledge gaps: what visitors asked that the assistants could not answer from their knowledge,
 * most asked first. An admin writes the answer and adds it as a question-and-answer document to
 * a knowledge base, through the same API the Knowledge pages use.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, SelectField, Spinner, TextAreaField, TextField } from '../../../../components/ui';
import { api, fieldErrorOf } from '../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { hasRole, knowledgeApi, knowledgeBasesQuery } from '../../../../lib/queries';
import { knowledgeGapsQuery, type AnalyticsFilters, type KnowledgeGap } from '../../../../lib/queries-analytics';
import { useOrg } from '../../../../lib/use-org';
import { queryKeys } from '../../../../lib/query-keys';

export function KnowledgeGapsCard({ filters, botNames }: { filters: AnalyticsFilters; botNames: Map<string, string> }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const gaps = useQuery(knowledgeGapsQuery(org.id, filters));
  const [adding, setAdding] = useState<KnowledgeGap | null>(null);
  const [added, setAdded] = useState<Set<string>>(() => new Set());
  const canAdd = hasRole(org.role, 'admin');
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: org.timezone });

  return (
    <Card title={t('analytics.gapsTitle')} description={t('analytics.gapsDesc')}>
      {gaps.isPending ? (
        <div role="status" className="flex items-center justify-center gap-2 py-8 text-sm text-zinc-500">
          <Spinner className="size-4" /> {t('common.loading')}
        </div>
      ) : gaps.isError ? (
        <ErrorState message={errorMessage(gaps.error)} onRetry={() => void gaps.refetch()} />
      ) : gaps.data.data.length === 0 ? (
        <EmptyState title={t('analytics.gapsEmpty')} description={t('analytics.gapsEmptyDesc')} />
      ) : (
        <>
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label={t('analytics.gapsTitle')}>
            {gaps.data.data.map((gap) => (
              <li key={gap.key} className="flex flex-wrap items-start gap-3 py-3">
                <span
                  className="mt-0.5 inline-flex min-w-9 justify-center rounded-md bg-amber-50 px-2 py-0.5 text-sm font-semibold text-amber-800 tabular-nums dark:bg-amber-950 dark:text-amber-300"
                  title={t('analytics.timesAsked', { count: gap.count })}
                >
                  <span aria-hidden="true">{gap.count}×</span>
                  <span className="sr-only">{t('analytics.timesAsked', { count: gap.count })}</span>
                </span>
                <div className="min-w-0 flex-1">
                  <p className="text-sm font-medium break-words">{gap.question}</p>
                  {gap.examples.length > 0 && (
                    <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
                      {t('analytics.alsoAsked')} {gap.examples.map((e) => `“${e}”`).join(' · ')}
                    </p>
                  )}
                  <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-500 dark:text-zinc-400">
                    <span>{t('analytics.lastAsked', { when: when.format(new Date(gap.lastAskedAt)) })}</span>
                    {gap.botIds.map((id) => botNames.get(id) && <Badge key={id}>{botNames.get(id)}</Badge>)}
                    {gap.conversationIds[0] && (
                      <Link
                        to="/conversations/$conversationId"
                        params={{ conversationId: gap.conversationIds[0] }}
                        className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                      >
                        {t('analytics.openConversation')}
                      </Link>
                    )}
                  </p>
                </div>
                {canAdd &&
                  (added.has(gap.key) ? (
                    <Badge tone="green">{t('analytics.added')}</Badge>
                  ) : (
                    <Button size="sm" variant="secondary" onClick={() => setAdding(gap)}>
                      {t('analytics.addToKnowledge')}
                    </Button>
                  ))}
              </li>
            ))}
          </ul>
          {gaps.data.truncated && <p className="mt-3 text-xs text-zinc-500">{t('analytics.gapsTruncated')}</p>}
        </>
      )}
      <AddToKnowledgeDialog
        gap={adding}
        onClose={() => setAdding(null)}
        onAdded={(gap) => {
          setAdded((prev) => new Set(prev).add(gap.key));
          setAdding(null);
        }}
      />
    </Card>
  );
}

function AddToKnowledgeDialog({ gap, onClose, onAdded }: { gap: KnowledgeGap | null; onClose: () => void; onAdded: (gap: KnowledgeGap) => void }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const queryClient = useQueryClient();
  const bases = useQuery({ ...knowledgeBasesQuery(org.id), enabled: gap !== null });
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [kbId, setKbId] = useState('');
  const [openedFor, setOpenedFor] = useState<string | null>(null);
  // A new gap opens the form fresh, prefilled with its question.
  if (gap && openedFor !== gap.key) {
    setOpenedFor(gap.key);
    setQuestion(gap.question);
    setAnswer('');
  }
  const selectedKb = kbId || bases.data?.[0]?.id || '';

  const save = useMutation({
    mutationFn: () =>
      api(knowledgeApi.documents(selectedKb), {
        method: 'POST',
        body: { type: 'qa', name: question.trim().slice(0, 200), pairs: [{ question: question.trim(), answer: answer.trim() }] },
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id) });
      toast.success(t('analytics.addedToast'));
      onAdded(gap!);
    },
  });

  return (
    <Dialog open={gap !== null} onClose={onClose} title={t('analytics.addTitle')} description={t('analytics.addDesc')} size="lg">
      {bases.isPending ? (
        <div role="status" className="flex justify-center py-6 text-zinc-400">
          <Spinner />
        </div>
      ) : bases.data?.length === 0 ? (
        <EmptyState
          title={t('analytics.noKnowledgeBases')}
          action={
            <Link to="/knowledge" className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
              {t('analytics.createKnowledgeBase')}
            </Link>
          }
        />
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (question.trim() && answer.trim() && selectedKb) save.mutate();
          }}
        >
          <TextField label={t('analytics.question')} value={question} onChange={(e) => setQuestion(e.target.value)} required maxLength={2000} error={fieldErrorOf(save.error, 'pairs.0.question')} />
          <TextAreaField
            label={t('analytics.answer')}
            hint={t('analytics.answerHint')}
            value={answer}
            onChange={(e) => setAnswer(e.target.value)}
            required
            rows={5}
            maxLength={20_000}
            autoFocus
            error={fieldErrorOf(save.error, 'pairs.0.answer')}
          />
          <SelectField label={t('analytics.knowledgeBase')} value={selectedKb} onChange={(e) => setKbId(e.target.value)}>
            {bases.data?.map((kb) => (
              <option key={kb.id} value={kb.id}>
                {kb.name}
              </option>
            ))}
          </SelectField>
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!question.trim() || !answer.trim()}>
              {t('analytics.addSubmit')}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
