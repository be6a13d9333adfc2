import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useBlocker } from '@tanstack/react-router';
import { useToast } from '../../../../components/toast';
import { Badge, Button, ConfirmDialog, cx, Dialog, SelectField } from '../../../../components/ui';
import { api } from '../../../../lib/api';
import { useT } from '../../../../lib/i18n';
import { chatbotApi, chatModelsQuery, EXTRACTIVE_MODEL, type Bot, type BotStatus, type ChatModel } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { queryKeys } from '../../../../lib/query-keys';

export function BotIcon({ className, color }: { className?: string; color?: string }) {
  return (
    <span
      className={cx(
        'flex size-10 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300',
        className,
      )}
      style={color ? { backgroundColor: `${color}1f`, color } : undefined}
    >
      <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
        <path
          strokeLinecap="round"
          strokeLinejoin="round"
          d="M12 3v3m-6 3h12a2 2 0 012 2v6a2 2 0 01-2 2H6a2 2 0 01-2-2v-6a2 2 0 012-2zm3 4.5h.01M15 13.5h.01M9.5 16.5h5M2 13v2m20-2v2"
        />
      </svg>
    </span>
  );
}

const STATUS_TONE: Record<BotStatus, 'green' | 'amber' | 'zinc' | 'red'> = { active: 'green', draft: 'amber', inactive: 'zinc', archived: 'zinc' };
/** A coloured dot rather than emoji: emoji fonts are missing on many systems and render as boxes. */
const STATUS_DOT: Record<BotStatus, string> = {
  active: 'bg-emerald-500',
  draft: 'bg-amber-400',
  inactive: 'bg-zinc-400',
  archived: 'bg-zinc-300 dark:bg-zinc-600',
};

export function StatusBadge({ status }: { status: BotStatus }) {
  const t = useT();
  return (
    <Badge tone={STATUS_TONE[status]}>
      <span aria-hidden="true" className={cx('mr-1.5 inline-block size-1.5 rounded-full', STATUS_DOT[status])} />
      <span>{t(`bots.status.${status}`)}</span>
    </Badge>
  );
}

/** The model's human label; the extractive answerer is always named for what it is. */
export function useModelLabel() {
  const t = useT();
  const org = useOrg();
  const models = useQuery(chatModelsQuery(org.id));
  return (id: string | null | undefined) => {
    if (!id) return t('bots.model.none');
    if (id === EXTRACTIVE_MODEL) return t('bots.model.extractive');
    return models.data?.data.find((m) => m.id === id)?.label ?? id;
  };
}

export function ModelSelect({
  label,
  value,
  onChange,
  allowNone,
  error,
  hint,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (id: string) => void;
  allowNone?: boolean;
  error?: string;
  hint?: string;
  disabled?: boolean;
}) {
  const t = useT();
  const org = useOrg();
  const models = useQuery(chatModelsQuery(org.id));
  const list: ChatModel[] = models.data?.data ?? [];
  // Keep a saved model listed even if the server no longer offers it.
  const listed = !value || list.some((m) => m.id === value) ? list : [{ id: value, label: value, provider: 'compatible' as const, available: false }, ...list];
  const providers = [...new Set(listed.map((m) => m.provider))];
  const nameOf = (m: ChatModel) => (m.id === EXTRACTIVE_MODEL ? t('bots.model.extractive') : m.label);
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)} error={error} hint={hint} disabled={disabled || models.isPending}>
      {models.isPending && <option value={value}>{t('common.loading')}</option>}
      {allowNone && <option value="">{t('bots.model.none')}</option>}
      {providers.map((p) => (
        <optgroup key={p} label={t(`bots.provider.${p}`)}>
          {listed
            .filter((m) => m.provider === p)
            .map((m) => (
              <option key={m.id} value={m.id} disabled={!m.available && m.id !== value}>
                {nameOf(m)}
                {m.available ? '' : ` (${t('bots.model.unavailable')})`}
              </option>
            ))}
        </optgroup>
      ))}
    </SelectField>
  );
}

/** Status changes shared by the list cards and the editor header. */
export function useBotMutations(bot: Bot) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const org = useOrg();
  const refresh = async (updated?: Bot) => {
    if (updated) queryClient.setQueryData(queryKeys.chatbots.detail(org.id, bot.id), updated);
    await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(org.id) });
  };
  const deploy = useMutation({
    mutationFn: () => api<Bot>(chatbotApi.deploy(bot.id), { method: 'POST', body: {}, orgId: org.id }),
    onSuccess: async (b) => {
      toast.success(t('bots.deployed', { name: bot.name }));
      await refresh(b);
    },
  });
  const setStatus = useMutation({
    mutationFn: (status: 'inactive' | 'archived' | 'draft') => api<Bot>(chatbotApi.bot(bot.id), { method: 'PUT', body: { status }, orgId: org.id }),
    onSuccess: async (b, status) => {
      toast.success(t(`bots.statusChanged.${status}`, { name: bot.name }));
      await refresh(b);
    },
  });
  const remove = useMutation({
    mutationFn: () => api(chatbotApi.bot(bot.id), { method: 'DELETE', orgId: org.id }),
    onSuccess: async () => {
      toast.success(t('bots.deleted', { name: bot.name }));
      // Lists only: refetching the deleted bot itself would 404 under the page still showing it.
      await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(org.id), predicate: (q) => q.queryKey.length > 2 });
    },
  });
  return { deploy, setStatus, remove };
}

export function DeleteBotDialog({ bot, open, onClose, onDeleted }: { bot: Bot; open: boolean; onClose: () => void; onDeleted?: () => unknown }) {
  const t = useT();
  const { remove } = useBotMutations(bot);
  const queryClient = useQueryClient();
  const org = useOrg();
  return (
    <ConfirmDialog
      open={open}
      onClose={onClose}
      onConfirm={() =>
        remove.mutate(undefined, {
          onSuccess: async () => {
            onClose();
            await onDeleted?.();
            queryClient.removeQueries({ queryKey: queryKeys.chatbots.detail(org.id, bot.id) });
          },
        })
      }
      pending={remove.isPending}
      title={t('bots.deleteTitle')}
      description={t('bots.deleteBody', { name: bot.name, count: bot.conversationCount })}
      confirmLabel={t('bots.delete')}
      typedConfirmation={bot.conversationCount > 0 ? bot.name : undefined}
    />
  );
}

/**
 * Asks before leaving a form with unsaved changes: in-app navigation (tabs included) gets a
 * dialog, closing or reloading the tab gets the browser's prompt.
 */
export function UnsavedChangesGuard({ dirty }: { dirty: boolean }) {
  const t = useT();
  const blocker = useBlocker({ shouldBlockFn: () => dirty, enableBeforeUnload: dirty, withResolver: true });
  return (
    <Dialog open={blocker.status === 'blocked'} onClose={() => blocker.reset?.()} title={t('bots.unsavedTitle')}>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('bots.unsavedBody')}</p>
      <div className="mt-6 flex justify-end gap-2">
        <Button variant="secondary" onClick={() => blocker.reset?.()} autoFocus>
          {t('bots.keepEditing')}
        </Button>
        <Button variant="danger" onClick={() => blocker.proceed?.()}>
          {t('bots.discard')}
        </Button>
      </div>
    </Dialog>
  );
}

/** Sticky save bar shown while a form differs from the saved bot. */
export function SaveBar({ dirty, pending, onReset }: { dirty: boolean; pending: boolean; onReset: () => void }) {
  const t = useT();
  return (
    <div className="sticky bottom-0 z-10 -mx-1 flex flex-wrap items-center justify-end gap-3 rounded-t-xl border-t border-zinc-200 bg-zinc-50/95 px-1 py-3 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95">
      <span role="status" className="mr-auto text-sm text-zinc-500">
        {dirty ? t('bots.unsaved') : t('bots.allSaved')}
      </span>
      <Button variant="ghost" onClick={onReset} disabled={!dirty || pending}>
        {t('bots.discardChanges')}
      </Button>
      <Button type="submit" loading={pending} disabled={!dirty}>
        {t('common.save')}
      </Button>
    </div>
  );
}

/** Dirty-state comparison: settings are plain JSON built in a stable key order. */
export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
