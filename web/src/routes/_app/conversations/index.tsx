import { createFileRoute } from '@tanstack/react-router';
import { useT } from '../../../lib/i18n';
import { Icon, ICONS } from './-components/shared';

export const Route = createFileRoute('/_app/conversations/')({
  component: NoSelection,
});

/** The right pane before a conversation is picked (on phones the list fills the screen instead). */
function NoSelection() {
  const t = useT();
  return (
    <div className="flex flex-1 flex-col items-center justify-center bg-zinc-50/60 p-8 text-center dark:bg-zinc-900/30">
      <div className="mb-4 flex size-14 items-center justify-center rounded-2xl bg-white text-zinc-400 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
        <Icon d={ICONS.chat} className="size-7" />
      </div>
      <h2 className="text-base font-semibold">{t('inbox.selectTitle')}</h2>
      <p className="mt-1 max-w-sm text-sm text-zinc-500 dark:text-zinc-400">{t('inbox.selectDesc')}</p>
      <p className="mt-4 hidden text-xs text-zinc-400 md:block">
        {t('inbox.keyboardHint')}
      </p>
    </div>
  );
}
