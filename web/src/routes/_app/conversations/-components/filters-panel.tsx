import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useId, useState, type ReactNode } from 'react';
import { Button, cx } from '../../../../components/ui';
import { useT } from '../../../../lib/i18n';
import { botsQuery } from '../../../../lib/queries';
import { CHANNELS, HANDOFF_STATES, inboxCountsQuery, PRIORITIES } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { extraFilterCount, type InboxSearch } from './search';
import { channelLabel, Icon, ICONS } from './shared';

const selectClass =
  'block w-full rounded-lg border-0 bg-white py-1.5 pr-8 pl-2.5 text-sm text-zinc-900 ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700';

/** Updates the inbox's URL state, keeping the open conversation. */
export function useInboxSearch() {
  const search = useSearch({ from: '/_app/conversations' });
  const navigate = useNavigate();
  const set = (patch: Partial<InboxSearch>) =>
    void navigate({ to: '.', search: (prev) => ({ ...prev, ...patch }), replace: true });
  return [search, set] as const;
}

function ViewLink({
  active,
  label,
  count,
  tone = 'zinc',
  icon,
  patch,
}: {
  active: boolean;
  label: string;
  count?: number;
  tone?: 'zinc' | 'amber' | 'indigo';
  icon: string;
  patch: Partial<InboxSearch>;
}) {
  return (
    <Link
      to="."
      search={(prev) => ({ ...prev, ...patch })}
      replace
      aria-current={active ? 'page' : undefined}
      className={cx(
        'flex items-center gap-2.5 rounded-lg px-2.5 py-1.5 text-sm font-medium',
        active
          ? 'bg-white text-zinc-900 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-800 dark:text-white dark:ring-zinc-700'
          : 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100',
      )}
    >
      <Icon d={icon} className="size-4 opacity-70" />
      <span className="min-w-0 flex-1 truncate">{label}</span>
      {!!count && (
        <span
          className={cx(
            'rounded-full px-1.5 text-xs font-semibold tabular-nums',
            tone === 'amber' && 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200',
            tone === 'indigo' && 'bg-indigo-100 text-indigo-700 dark:bg-indigo-900/60 dark:text-indigo-200',
            tone === 'zinc' && 'text-zinc-500',
          )}
        >
          {count}
        </span>
      )}
    </Link>
  );
}

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div>
      <div className="mb-1.5 flex items-center justify-between px-2.5">
        <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{title}</h3>
        {action}
      </div>
      {children}
    </div>
  );
}

function SelectRow({ label, value, onChange, children }: { label: string; value: string; onChange: (v: string) => void; children: ReactNode }) {
  const id = useId();
  return (
    <div className="px-2.5">
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={selectClass}>
        {children}
      </select>
    </div>
  );
}

/** Quick views and filters: the inbox's left column on wide screens, a dialog on narrow ones. */
export function FiltersPanel({ onManageCanned, className }: { onManageCanned: () => void; className?: string }) {
  const t = useT();
  const org = useOrg();
  const [search, set] = useInboxSearch();
  const counts = useQuery(inboxCountsQuery(org.id));
  const bots = useQuery(botsQuery(org.id));
  const tagId = useId();
  const [tag, setTag] = useState(search.tag ?? '');
  useEffect(() => setTag(search.tag ?? ''), [search.tag]);
  const plain = !search.handoff && !search.unread;

  return (
    <div className={cx('flex min-h-0 flex-1 flex-col', className)}>
      <div className="min-h-0 flex-1 space-y-6 overflow-y-auto px-2 py-4">
        <Section title={t('inbox.folders')}>
          <nav aria-label={t('inbox.folders')} className="space-y-0.5">
            <ViewLink
              active={plain && !search.folder}
              label={t('inbox.folder.all')}
              icon={ICONS.inbox}
              patch={{ handoff: undefined, unread: undefined, folder: undefined }}
            />
            <ViewLink
              active={search.handoff === 'requested'}
              label={t('inbox.folder.waiting')}
              count={counts.data?.handoffRequested}
              tone="amber"
              icon={ICONS.hand}
              patch={{ handoff: 'requested', unread: undefined, folder: undefined, status: 'all' }}
            />
            <ViewLink
              active={!!search.unread && !search.handoff}
              label={t('inbox.folder.unread')}
              count={counts.data?.unread}
              tone="indigo"
              icon={ICONS.chat}
              patch={{ unread: true, handoff: undefined }}
            />
          </nav>
        </Section>

        <Section
          title={t('inbox.filters')}
          action={
            extraFilterCount(search) > 0 && (
              <button
                type="button"
                className="text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                onClick={() => set({ channel: undefined, bot: undefined, priority: undefined, tag: undefined, handoff: undefined, unread: undefined })}
              >
                {t('inbox.filter.clear')}
              </button>
            )
          }
        >
          <div className="space-y-3">
            <SelectRow label={t('inbox.filter.channel')} value={search.channel ?? ''} onChange={(v) => set({ channel: (v || undefined) as InboxSearch['channel'] })}>
              <option value="">{t('inbox.filter.any')}</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {channelLabel(c, t)}
                </option>
              ))}
            </SelectRow>
            <SelectRow label={t('inbox.filter.bot')} value={search.bot ?? ''} onChange={(v) => set({ bot: v || undefined })}>
              <option value="">{t('inbox.filter.any')}</option>
              {(bots.data ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </SelectRow>
            <SelectRow label={t('inbox.filter.priority')} value={search.priority ?? ''} onChange={(v) => set({ priority: (v || undefined) as InboxSearch['priority'] })}>
              <option value="">{t('inbox.filter.any')}</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`inbox.priority.${p}`)}
                </option>
              ))}
            </SelectRow>
            <SelectRow label={t('inbox.filter.handoff')} value={search.handoff ?? ''} onChange={(v) => set({ handoff: (v || undefined) as InboxSearch['handoff'] })}>
              <option value="">{t('inbox.filter.any')}</option>
              {HANDOFF_STATES.map((h) => (
                <option key={h} value={h}>
                  {t(`inbox.handoff.${h}`)}
                </option>
              ))}
            </SelectRow>
            <form
              className="px-2.5"
              onSubmit={(e) => {
                e.preventDefault();
                set({ tag: tag.trim().toLowerCase() || undefined });
              }}
            >
              <label htmlFor={tagId} className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">
                {t('inbox.filter.tag')}
              </label>
              <input
                id={tagId}
                value={tag}
                onChange={(e) => setTag(e.target.value)}
                onBlur={() => (tag.trim().toLowerCase() || undefined) !== search.tag && set({ tag: tag.trim().toLowerCase() || undefined })}
                placeholder={t('inbox.filter.tagPlaceholder')}
                maxLength={50}
                className={cx(selectClass, 'pr-2.5')}
              />
            </form>
            <label className="flex items-center gap-2 px-2.5 text-sm text-zinc-700 dark:text-zinc-300">
              <input
                type="checkbox"
                checked={!!search.unread}
                onChange={(e) => set({ unread: e.target.checked ? true : undefined })}
                className="size-4 rounded border-zinc-300 text-indigo-600 focus:ring-indigo-600 dark:border-zinc-600 dark:bg-zinc-900"
              />
              {t('inbox.filter.unreadOnly')}
            </label>
          </div>
        </Section>
      </div>
      <div className="border-t border-zinc-200 p-2 dark:border-zinc-800">
        <Button variant="ghost" size="sm" className="w-full justify-start" onClick={onManageCanned}>
          <Icon d={ICONS.bolt} className="size-4" /> {t('inbox.cannedManage')}
        </Button>
      </div>
    </div>
  );
}
