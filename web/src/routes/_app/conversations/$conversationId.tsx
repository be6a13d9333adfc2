import { useQueryErrorResetBoundary } from '@tanstack/react-query';
import { createFileRoute, Link, useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect } from 'react';
import { cx, ErrorState } from '../../../components/ui';
import { linkClass } from '../../../components/chrome';
import { ApiError } from '../../../lib/api';
import { useErrorMessage, useT } from '../../../lib/i18n';
import { conversationQuery, messagesQuery } from '../../../lib/queries-inbox';
import { ConversationView } from './-components/conversation-view';

export const Route = createFileRoute('/_app/conversations/$conversationId')({
  loader: async ({ context: { queryClient, orgId }, params: { conversationId } }) => {
    if (!orgId) return;
    await Promise.all([
      queryClient.ensureQueryData(conversationQuery(orgId, conversationId)),
      queryClient.ensureInfiniteQueryData(messagesQuery(orgId, conversationId)),
    ]);
  },
  pendingComponent: ConversationSkeleton,
  errorComponent: ConversationError,
  component: ConversationPage,
});

function ConversationPage() {
  const { conversationId } = Route.useParams();
  // A fresh view per conversation: scroll position, reply draft and panels start over.
  return <ConversationView key={conversationId} id={conversationId} />;
}

function ConversationSkeleton() {
  return (
    <div aria-hidden="true" className="flex flex-1 animate-pulse flex-col motion-reduce:animate-none">
      <div className="flex items-center gap-3 border-b border-zinc-200 px-5 py-4 dark:border-zinc-800">
        <span className="size-11 rounded-full bg-zinc-200 dark:bg-zinc-800" />
        <span className="space-y-2">
          <span className="block h-4 w-40 rounded bg-zinc-200 dark:bg-zinc-800" />
          <span className="block h-3 w-56 rounded bg-zinc-100 dark:bg-zinc-800/70" />
        </span>
      </div>
      <div className="flex-1 space-y-4 bg-zinc-50/60 p-6 dark:bg-zinc-900/30">
        {[60, 40, 70, 35].map((w, i) => (
          <div key={i} className={cx('flex', i % 2 ? 'justify-end' : 'justify-start')}>
            <span className="h-12 rounded-2xl bg-zinc-200 dark:bg-zinc-800" style={{ width: `${w}%` }} />
          </div>
        ))}
      </div>
      <div className="h-28 border-t border-zinc-200 dark:border-zinc-800" />
    </div>
  );
}

function ConversationError({ error }: ErrorComponentProps) {
  const t = useT();
  const router = useRouter();
  const message = useErrorMessage();
  const { reset } = useQueryErrorResetBoundary();
  useEffect(() => reset(), [reset]);
  const gone = error instanceof ApiError && (error.status === 404 || error.code === 'validation_failed');
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-4 p-6">
      <div className="w-full max-w-md">
        <ErrorState
          message={gone ? t('conv.notFound') : `${t('conv.loadError')} ${message(error)}`}
          onRetry={gone ? undefined : () => void router.invalidate()}
        />
      </div>
      <Link to="/conversations" search={true} className={linkClass}>
        ← {t('inbox.back')}
      </Link>
    </div>
  );
}
