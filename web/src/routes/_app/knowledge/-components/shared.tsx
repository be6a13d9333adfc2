import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Badge, Button, ConfirmDialog, cx, Dialog, ProgressBar, Spinner, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT, type TFunction } from '../../../../lib/i18n';
import { knowledgeApi, type DocumentSource, type KnowledgeDocument } from '../../../../lib/queries';
import { queryKeys } from '../../../../lib/query-keys';

export function KbIcon({ className }: { className?: string }) {
  return (
    <span className={cx('flex size-10 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300', className)}>
      <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
        <path
          strokeLinecap="round"
          strokeLinejoin="round"
          d="M4 7c0-1.66 3.58-3 8-3s8 1.34 8 3-3.58 3-8 3-8-1.34-8-3zm0 0v5c0 1.66 3.58 3 8 3s8-1.34 8-3V7M4 12v5c0 1.66 3.58 3 8 3s8-1.34 8-3v-5"
        />
      </svg>
    </span>
  );
}

const sourcePaths: Record<DocumentSource, string> = {
  file: 'M14 3H7a2 2 0 00-2 2v14a2 2 0 002 2h10a2 2 0 002-2V8l-5-5zm0 0v5h5',
  url: 'M10 14a4 4 0 005.66 0l3-3a4 4 0 00-5.66-5.66l-1 1M14 10a4 4 0 00-5.66 0l-3 3a4 4 0 005.66 5.66l1-1',
  website: 'M12 21a9 9 0 100-18 9 9 0 000 18zm0 0c2.5-2.5 3.5-5.5 3.5-9S14.5 5.5 12 3m0 18c-2.5-2.5-3.5-5.5-3.5-9S9.5 5.5 12 3M3.5 9h17M3.5 15h17',
  text: 'M4 6h16M4 10h16M4 14h10M4 18h7',
  qa: 'M8 10h.01M12 10h.01M16 10h.01M21 12c0 4.4-4 8-9 8a9.8 9.8 0 01-4-.8L3 20l1.3-3.9A7.5 7.5 0 013 12c0-4.4 4-8 9-8s9 3.6 9 8z',
};

export function SourceIcon({ source }: { source: DocumentSource }) {
  return (
    <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">
      <svg viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
        <path strokeLinecap="round" strokeLinejoin="round" d={sourcePaths[source]} />
      </svg>
    </span>
  );
}

/** Short description of where a document came from: "PDF", "example.com/page", "Text"… */
export function sourceDetail(doc: KnowledgeDocument): string | null {
  if (doc.sourceUrl) {
    try {
      const u = new URL(doc.sourceUrl);
      return u.host + (u.pathname === '/' ? '' : u.pathname);
    } catch {
      return doc.sourceUrl;
    }
  }
  const ext = doc.name.match(/\.([a-z0-9]{1,5})$/i)?.[1];
  if (ext) return ext.toUpperCase();
  return null;
}

/** What kind of document this is, in people's words (never a MIME type such as application/x-qa+json). */
export function documentKind(doc: Pick<KnowledgeDocument, 'name' | 'mimeType' | 'sourceUrl' | 'source'>, t: TFunction): string {
  const mime = (doc.mimeType ?? '').split(';')[0].trim();
  if (doc.source === 'qa') return t('doc.kind.qa');
  if (doc.sourceUrl) return t('doc.kind.web');
  const byMime: Record<string, string> = {
    'application/pdf': 'PDF',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (DOCX)',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel (XLSX)',
    'text/csv': 'CSV',
    'text/html': 'HTML',
    'text/markdown': 'Markdown',
  };
  if (byMime[mime]) return byMime[mime];
  if (mime === 'text/plain') return t('doc.kind.text');
  return doc.name.match(/\.([a-z0-9]{1,5})$/i)?.[1]?.toUpperCase() ?? t('doc.kind.text');
}

const statusTone = { pending: 'zinc', processing: 'indigo', ready: 'green', failed: 'red' } as const;

export function StatusBadge({ status }: { status: KnowledgeDocument['status'] }) {
  const t = useT();
  return (
    <Badge tone={statusTone[status]}>
      {(status === 'pending' || status === 'processing') && <Spinner className="mr-1 size-3" />}
      {t(`status.${status}`)}
    </Badge>
  );
}

/** Status badge plus what the user needs next to it: progress while working, the reason when failed. */
export function DocumentStatus({ doc, compact }: { doc: KnowledgeDocument; compact?: boolean }) {
  const t = useT();
  const crawl = doc.source === 'website' ? doc.crawl : undefined;
  return (
    <div className={cx('min-w-0', compact ? 'max-w-56' : '')}>
      <StatusBadge status={doc.status} />
      {doc.status === 'processing' && crawl && crawl.pagesFound > 0 ? (
        <div className="mt-1.5">
          <ProgressBar value={(crawl.pagesDone + crawl.pagesFailed) / Math.max(crawl.pagesFound, 1)} label={t('docs.crawlProgress', { done: crawl.pagesDone, found: crawl.pagesFound })} />
          <p className="mt-1 text-xs text-zinc-500">{t('docs.crawlProgress', { done: crawl.pagesDone, found: crawl.pagesFound })}</p>
        </div>
      ) : doc.status === 'processing' && doc.chunkCount > 0 ? (
        <div className="mt-1.5">
          <ProgressBar value={doc.chunksDone / doc.chunkCount} label={t('docs.progress', { done: doc.chunksDone, total: doc.chunkCount })} />
          <p className="mt-1 text-xs text-zinc-500">{t('docs.progress', { done: doc.chunksDone, total: doc.chunkCount })}</p>
        </div>
      ) : null}
      {doc.status === 'failed' && doc.error && (
        <p className={cx('mt-1 text-xs text-red-700 dark:text-red-400', compact && 'line-clamp-3')} title={doc.error}>
          {doc.error}
        </p>
      )}
    </div>
  );
}

export type DocAction = 'rename' | 'reprocess' | 'refresh' | 'delete';

/**
 * Rename / reprocess / refresh / delete for documents, shared by the table and the detail page.
 * Returns a `run(action, doc)` and the dialogs to render once.
 */
export function useDocumentActions({ orgId, kbId, onDeleted }: { orgId: string; kbId: string; onDeleted?: (doc: KnowledgeDocument) => void }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [renaming, setRenaming] = useState<KnowledgeDocument | null>(null);
  const [deleting, setDeleting] = useState<KnowledgeDocument | null>(null);

  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.documents.ofBase(orgId, kbId) }),
      queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(orgId) }),
    ]);

  const post = useMutation({
    mutationFn: ({ doc, action }: { doc: KnowledgeDocument; action: 'reprocess' | 'refresh' }) =>
      api<KnowledgeDocument>(`${knowledgeApi.document(kbId, doc.id)}/${action}`, { method: 'POST', body: {}, orgId }),
    onSuccess: (_d, { doc, action }) =>
      toast.info(t(action === 'refresh' ? 'docs.refreshStarted' : 'docs.reprocessStarted', { name: doc.name })),
    onSettled: async (_d, _e, { doc }) => {
      await invalidate();
      await queryClient.invalidateQueries({ queryKey: queryKeys.documents.chunks(orgId, kbId, doc.id) });
    },
  });

  const del = useMutation({
    mutationFn: (doc: KnowledgeDocument) => api(knowledgeApi.document(kbId, doc.id), { method: 'DELETE', orgId }),
    onSuccess: async (_d, doc) => {
      setDeleting(null);
      toast.success(t('docs.deleted', { name: doc.name }));
      onDeleted?.(doc);
      queryClient.removeQueries({ queryKey: queryKeys.documents.detail(orgId, kbId, doc.id) });
      queryClient.removeQueries({ queryKey: queryKeys.documents.chunks(orgId, kbId, doc.id) });
      await invalidate();
    },
  });

  const run = (action: DocAction, doc: KnowledgeDocument) => {
    if (action === 'rename') setRenaming(doc);
    else if (action === 'delete') setDeleting(doc);
    else post.mutate({ doc, action });
  };

  const dialogs: ReactNode = (
    <>
      <RenameDialog doc={renaming} orgId={orgId} kbId={kbId} onClose={() => setRenaming(null)} onSaved={invalidate} />
      <ConfirmDialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate(deleting)}
        pending={del.isPending}
        title={t('docs.deleteTitle', { name: deleting?.name ?? '' })}
        description={deleting?.source === 'website' ? t('docs.deleteWebsiteBody') : t('docs.deleteBody')}
        confirmLabel={t('common.delete')}
      />
    </>
  );
  return { run, dialogs, pending: post.isPending ? post.variables : undefined };
}

function RenameDialog({
  doc,
  orgId,
  kbId,
  onClose,
  onSaved,
}: {
  doc: KnowledgeDocument | null;
  orgId: string;
  kbId: string;
  onClose: () => void;
  onSaved: () => Promise<unknown>;
}) {
  const t = useT();
  return (
    <Dialog open={!!doc} onClose={onClose} title={t('docs.rename')}>
      {doc && <RenameForm key={doc.id} doc={doc} orgId={orgId} kbId={kbId} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function RenameForm({
  doc,
  orgId,
  kbId,
  onClose,
  onSaved,
}: {
  doc: KnowledgeDocument;
  orgId: string;
  kbId: string;
  onClose: () => void;
  onSaved: () => Promise<unknown>;
}) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const [name, setName] = useState(doc.name);
  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<KnowledgeDocument>(knowledgeApi.document(kbId, doc.id), { method: 'PUT', body: { name: name.trim() }, orgId }),
    onSuccess: async () => {
      toast.success(t('docs.renamed'));
      onClose();
      await onSaved();
    },
  });
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <TextField label={t('docs.name')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} autoFocus error={fieldErrorOf(save.error, 'name')} />
      {save.error && !hasFieldErrors(save.error) && <Alert tone="error">{errorMessage(save.error)}</Alert>}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" loading={save.isPending}>
          {t('common.save')}
        </Button>
      </div>
    </form>
  );
}

/** A label/value pair for definition lists on the detail page. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 truncate text-sm text-zinc-900 dark:text-zinc-100">{children}</dd>
    </div>
  );
}
