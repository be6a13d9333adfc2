import { useT } from '../../lib/i18n';
import { Spinner } from './spinner';

export function PageLoader() {
  const t = useT();
  return (
    <div role="status" className="flex min-h-48 items-center justify-center gap-3 text-sm text-zinc-500">
      <Spinner /> {t('common.loading')}
    </div>
  );
}
