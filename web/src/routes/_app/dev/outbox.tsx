import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, notFound } from '@tanstack/react-router';
import { Fragment } from 'react';
import { Button, Card, EmptyState, ErrorState, formatDate, PageHeader, Spinner } from '../../../components/ui';
import { useErrorMessage, useLocale, useT } from '../../../lib/i18n';
import { devOutboxAvailableQuery, devOutboxQuery, profileQuery } from '../../../lib/queries';

export const Route = createFileRoute('/_app/dev/outbox')({
  loader: async ({ context: { queryClient } }) => {
    if (!(await queryClient.ensureQueryData(devOutboxAvailableQuery()))) throw notFound();
  },
  component: Outbox,
});

/** Plain text with its URLs turned into links, so a verification link is one click away. */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"')]+)/g);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <a key={i} href={p} className="font-medium break-all text-indigo-600 underline dark:text-indigo-400">
            {p}
          </a>
        ) : (
          <Fragment key={i}>{p}</Fragment>
        ),
      )}
    </>
  );
}

function Outbox() {
  const t = useT();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const { data: profile } = useSuspenseQuery(profileQuery());
  const mails = useQuery(devOutboxQuery());
  return (
    <>
      <PageHeader title={t('outbox.title')} description={t('outbox.desc')} />
      <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('outbox.onlyYours', { email: profile.email })}</p>
        <Button variant="secondary" onClick={() => void mails.refetch()} loading={mails.isFetching}>
          {t('outbox.refresh')}
        </Button>
      </div>
      {mails.isPending ? (
        <div role="status" className="flex justify-center py-8 text-zinc-400">
          <Spinner />
        </div>
      ) : mails.isError ? (
        <ErrorState message={errorMessage(mails.error)} onRetry={() => void mails.refetch()} />
      ) : mails.data.length === 0 ? (
        <EmptyState title={t('outbox.empty')} />
      ) : (
        <div className="space-y-4">
          {mails.data.map((m) => (
            <Card key={m.id} title={m.subject} description={`${m.to} · ${formatDate(m.createdAt, locale, true)}`}>
              <p className="text-sm whitespace-pre-wrap text-zinc-700 dark:text-zinc-300">
                <Linkified text={m.text} />
              </p>
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
