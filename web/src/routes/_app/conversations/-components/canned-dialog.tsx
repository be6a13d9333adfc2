import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, ConfirmDialog, Dialog, ErrorState, PageLoader, TextAreaField, TextField } from '../../../../components/ui';
import { ApiError, fieldErrorOf } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { hasRole } from '../../../../lib/queries';
import { cannedResponsesQuery, useCannedMutations, type CannedResponse } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { Icon, ICONS } from './shared';

type Editing = { id?: string; shortcut: string; content: string } | null;

/** List, create, edit and delete the organization's canned responses. */
export function CannedResponsesDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const canWrite = hasRole(org.role, 'agent');
  const list = useQuery({ ...cannedResponsesQuery(org.id), enabled: open });
  const { create, update, remove } = useCannedMutations(org.id);
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);
  const [filter, setFilter] = useState('');
  const searchId = useId();
  useEffect(() => {
    if (!open) {
      setEditing(null);
      setFilter('');
    }
  }, [open]);

  const save = editing?.id ? update : create;
  const error = save.error;
  const shortcutError =
    fieldErrorOf(error, 'shortcut') ?? (error instanceof ApiError && error.code === 'conflict' ? t('canned.conflict') : undefined);
  const contentError = fieldErrorOf(error, 'content');
  const q = filter.trim().toLowerCase();
  const shown = (list.data ?? []).filter((c) => !q || c.shortcut.includes(q) || c.content.toLowerCase().includes(q));

  return (
    <>
    <Dialog open={open} onClose={onClose} title={editing ? (editing.id ? t('canned.editTitle', { shortcut: editing.shortcut }) : t('canned.new')) : t('canned.title')} description={editing ? undefined : t('canned.desc')} size="lg">
      {editing ? (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            const body = { shortcut: editing.shortcut.trim().replace(/^\//, '').toLowerCase(), content: editing.content.trim() };
            const done = {
              onSuccess: () => {
                toast.success(t('canned.saved'));
                setEditing(null);
              },
            };
            if (editing.id) update.mutate({ id: editing.id, ...body }, done);
            else create.mutate(body, done);
          }}
        >
          <TextField
            label={t('canned.shortcut')}
            value={editing.shortcut}
            onChange={(e) => setEditing({ ...editing, shortcut: e.target.value })}
            hint={t('canned.shortcutHint')}
            error={shortcutError}
            maxLength={65}
            required
            autoFocus
            autoComplete="off"
          />
          <TextAreaField
            label={t('canned.content')}
            value={editing.content}
            onChange={(e) => setEditing({ ...editing, content: e.target.value })}
            error={contentError}
            maxLength={4000}
            required
            rows={5}
          />
          {error && !shortcutError && !contentError && <Alert tone="error">{errorMessage(error)}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing.id ? t('common.save') : t('canned.create')}
            </Button>
          </div>
        </form>
      ) : (
        <div className="space-y-4">
          {!canWrite && <Alert>{t('canned.readOnly')}</Alert>}
          <div className="flex items-center gap-2">
            <label htmlFor={searchId} className="sr-only">
              {t('canned.search')}
            </label>
            <input
              id={searchId}
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder={t('canned.search')}
              className="block min-w-0 flex-1 rounded-lg border-0 bg-white px-3 py-2 text-sm ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 dark:bg-zinc-900 dark:ring-zinc-700"
            />
            {canWrite && (
              <Button
                onClick={() => {
                  create.reset();
                  setEditing({ shortcut: '', content: '' });
                }}
              >
                <span aria-hidden="true">+</span> {t('canned.new')}
              </Button>
            )}
          </div>
          {list.isPending ? (
            <PageLoader />
          ) : list.isError ? (
            <ErrorState message={errorMessage(list.error)} onRetry={() => void list.refetch()} />
          ) : (list.data ?? []).length === 0 ? (
            <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-8 text-center text-sm text-zinc-500 dark:border-zinc-700">{t('canned.empty')}</p>
          ) : (
            <ul className="max-h-[50vh] divide-y divide-zinc-100 overflow-y-auto rounded-lg ring-1 ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800">
              {shown.map((c) => (
                <li key={c.id} className="flex items-start gap-3 px-3 py-2.5">
                  <Icon d={ICONS.bolt} className="mt-0.5 size-4 text-indigo-500" />
                  <div className="min-w-0 flex-1">
                    <p className="text-sm font-semibold text-indigo-700 dark:text-indigo-300">/{c.shortcut}</p>
                    <p className="line-clamp-2 text-sm whitespace-pre-line text-zinc-600 dark:text-zinc-400">{c.content}</p>
                  </div>
                  {canWrite && (
                    <div className="flex shrink-0 gap-1">
                      <Button
                        variant="ghost"
                        size="sm"
                        aria-label={`${t('canned.edit')} /${c.shortcut}`}
                        onClick={() => {
                          update.reset();
                          setEditing({ id: c.id, shortcut: c.shortcut, content: c.content });
                        }}
                      >
                        {t('canned.edit')}
                      </Button>
                      <Button variant="ghost" size="sm" className="text-red-600! dark:text-red-400!" aria-label={`${t('canned.delete')} /${c.shortcut}`} onClick={() => setDeleting(c)}>
                        {t('canned.delete')}
                      </Button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
          <div className="flex justify-end">
            <Button variant="secondary" onClick={onClose}>
              {t('common.done')}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
      {/* A sibling, not a child: a nested <dialog>'s close event would close this one too (React bubbles it). */}
      <ConfirmDialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        title={t('canned.deleteTitle', { shortcut: deleting?.shortcut ?? '' })}
        description={t('canned.deleteDesc')}
        confirmLabel={t('canned.delete')}
        pending={remove.isPending}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              toast.success(t('canned.deleted'));
              setDeleting(null);
            },
          })
        }
      />
    </>
  );
}
