import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, cx, Dialog } from '../../../../components/ui';
import { api } from '../../../../lib/api';
import type { Schemas } from '../../../../lib/api-contract';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { queryKeys } from '../../../../lib/query-keys';
import type { Conversation } from '../../../../lib/queries-inbox';
import { ChannelIcon, channelLabel } from './shared';
import { ContactAvatar } from './contact-avatar';

type ContactSummary = Schemas['ContactSummary'];
type MergeOutcome = Schemas['ContactMergeOutcome'];
type Kept = Conversation['contact'];

const MERGED_FIELDS = ['name', 'email', 'phone'] as const;

/** The name, email and phone the kept contact lacks and the other has: what the merge fills in. */
export function fieldsThatMove(kept: Pick<Kept, 'name' | 'email' | 'phone'>, other: ContactSummary) {
  return MERGED_FIELDS.filter((field) => !kept[field] && other[field]).map((field) => ({ field, value: other[field] as string }));
}

function useDebounced(value: string, ms = 250) {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return debounced;
}

const summaryName = (c: ContactSummary) => c.name || c.email || c.phone || c.externalId;

/**
 * "Merge with another contact" (agents and up): search the organization's contacts, pick one,
 * see what moves (its conversations and the fields this contact lacks), confirm. Uses
 * POST /api/v1/contacts/{id}/merge; the inbox reloads, since conversations changed contact.
 */
export function ContactMergeButton({ orgId, contact, name }: { orgId: string; contact: Kept; name: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
        {t('merge.open')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t('merge.title', { name })} description={t('merge.desc')} size="lg">
        {open && <MergeForm orgId={orgId} contact={contact} name={name} onDone={() => setOpen(false)} />}
      </Dialog>
    </>
  );
}

function MergeForm({ orgId, contact, name, onDone }: { orgId: string; contact: Kept; name: string; onDone: () => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<ContactSummary | null>(null);
  const search = useDebounced(q.trim());
  const results = useQuery({
    queryKey: ['contacts', { orgId }, 'search', search, contact.id],
    queryFn: ({ signal }) =>
      api<{ data: ContactSummary[] }>(`/api/v1/contacts?${new URLSearchParams({ ...(search ? { q: search } : {}), exclude: contact.id })}`, { orgId, signal }),
  });
  const merge = useMutation({
    meta: OWN_ERROR,
    mutationFn: (other: ContactSummary) => api<MergeOutcome>(`/api/v1/contacts/${contact.id}/merge`, { method: 'POST', orgId, body: { contactId: other.id } }),
    onSuccess: async (outcome, other) => {
      toast.success(t('merge.done', { name: summaryName(other), count: outcome.movedConversations }));
      onDone();
      // Conversations changed contact, and the merged contact is no longer a candidate.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all(orgId) }),
        queryClient.invalidateQueries({ queryKey: ['contacts', { orgId }] }),
      ]);
    },
  });

  if (picked) {
    const moves = fieldsThatMove(contact, picked);
    return (
      <div className="space-y-4" data-testid="merge-preview">
        <div className="flex items-center gap-3 rounded-lg bg-zinc-50 p-3 dark:bg-zinc-800/60">
          <ContactAvatar orgId={orgId} contact={picked} name={summaryName(picked)} />
          <div className="min-w-0">
            <p className="truncate text-sm font-medium">{summaryName(picked)}</p>
            <p className="flex items-center gap-1 text-xs text-zinc-500">
              <ChannelIcon channel={picked.channel} /> {channelLabel(picked.channel, t)}
            </p>
          </div>
        </div>
        <div>
          <p className="text-sm font-medium">{t('merge.preview', { name })}</p>
          <ul className="mt-1 list-disc pl-5 text-sm text-zinc-600 dark:text-zinc-300">
            <li>{t('merge.conversations', { count: picked.conversationCount })}</li>
            {moves.map((move) => (
              <li key={move.field}>{t('merge.fieldMoves', { field: t(`merge.field.${move.field}`), value: move.value })}</li>
            ))}
          </ul>
        </div>
        {merge.error ? <Alert tone="error">{errorMessage(merge.error)}</Alert> : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setPicked(null)} disabled={merge.isPending}>
            {t('merge.back')}
          </Button>
          <Button variant="danger" loading={merge.isPending} onClick={() => merge.mutate(picked)}>
            {t('merge.confirm')}
          </Button>
        </div>
      </div>
    );
  }

  const rows = results.data?.data ?? [];
  return (
    <div className="space-y-3">
      <label className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {t('merge.search')}
        <input
          type="search"
          autoFocus
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('merge.searchPlaceholder')}
          className="mt-1.5 block w-full rounded-lg border-0 bg-white px-3 py-2 text-sm ring-1 ring-zinc-300 focus:ring-2 focus:ring-indigo-500 dark:bg-zinc-900 dark:ring-zinc-700"
        />
      </label>
      {results.error ? <Alert tone="error">{errorMessage(results.error)}</Alert> : null}
      <ul className="max-h-72 divide-y divide-zinc-100 overflow-y-auto dark:divide-zinc-800" aria-label={t('merge.results')}>
        {rows.map((row) => (
          <li key={row.id}>
            <button
              type="button"
              onClick={() => setPicked(row)}
              className={cx('flex w-full items-center gap-3 px-2 py-2 text-left hover:bg-zinc-50 dark:hover:bg-zinc-800/60')}
            >
              <ContactAvatar orgId={orgId} contact={row} name={summaryName(row)} size="sm" />
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm font-medium">{summaryName(row)}</span>
                <span className="block truncate text-xs text-zinc-500">{[row.email, row.phone].filter(Boolean).join(' · ')}</span>
              </span>
              <span className="flex items-center gap-1 text-xs text-zinc-500">
                <ChannelIcon channel={row.channel} /> {t('merge.conversations', { count: row.conversationCount })}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {results.isSuccess && rows.length === 0 ? <p className="text-sm text-zinc-500">{t('merge.none')}</p> : null}
    </div>
  );
}
