import { useQueryErrorResetBoundary } from '@tanstack/react-query';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect } from 'react';
import { ErrorState } from '../../components/ui';
import { useErrorMessage } from '../../lib/i18n';

export function RouteError({ error }: ErrorComponentProps) {
  const router = useRouter();
  const message = useErrorMessage();
  const { reset } = useQueryErrorResetBoundary();
  useEffect(() => reset(), [reset]);
  return (
    <div className="p-4">
      <ErrorState message={message(error)} onRetry={() => void router.invalidate()} />
    </div>
  );
}
