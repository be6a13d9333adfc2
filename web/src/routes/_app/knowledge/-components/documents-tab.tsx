import { keepPreviousData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { useToast } from '../../../../components/toast';
import {
  Button,
  cx,
  DropdownMenu,
  EmptyState,
  ErrorState,
  formatBytes,
  formatDate,
  formatNumber,
  ProgressBar,
  Spinner,
} from '../../../../components/ui';
import { api, ApiError, uploadFile } from '../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import {
  documentsQuery,
  isInProgress,
  knowledgeApi,
  type DocumentStatus as Status,
  type KnowledgeBase,
  type KnowledgeDocument,
} from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { AddContentMenu } from './add-content';
import { DocumentStatus, sourceDetail, SourceIcon, useDocumentActions } from './shared';
import { queryKeys } from '../../../../lib/query-keys';

export const ACCEPTED_EXTENSIONS = ['txt', 'md', 'html', 'htm', 'pdf', 'docx', 'xlsx', 'csv'];
const ACCEPT = '.txt,.md,.markdown,.html,.htm,.pdf,.docx,.csv';
const MAX_BYTES = 25 * 1024 * 1024;
const STATUSES: Status[] = ['pending', 'processing', 'ready', 'failed'];

export function DocumentsTab({ kb, canWrite, status, q }: { kb: KnowledgeBase; canWrite: boolean; status?: Status; q?: string }) {
  return (
    <div className="space-y-6">
      {canWrite && <Uploader kb={kb} />}
      <DocumentsTable kb={kb} canWrite={canWrite} status={status} q={q} />
    </div>
  );
}

// ---- Upload ---------------------------------------------------------------------------------

interface UploadItem {
  key: string;
  name: string;
  size: number;
  progress: number;
  state: 'uploading' | 'processing' | 'error';
  error?: string;
}

let uploadSeq = 0;

function Uploader({ kb }: { kb: KnowledgeBase }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [items, setItems] = useState<UploadItem[]>([]);
  const hintId = useId();

  const patch = (key: string, p: Partial<UploadItem>) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...p } : i)));
  const drop = (key: string) => setItems((list) => list.filter((i) => i.key !== key));

  const uploadOne = async (file: File) => {
    const key = `u${++uploadSeq}`;
    const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
    // Cheap checks first so an obviously wrong file fails at once; the server checks the content too.
    const early = !ACCEPTED_EXTENSIONS.includes(ext) && ext !== 'markdown' ? t('docs.badType') : file.size > MAX_BYTES ? t('docs.tooLarge') : undefined;
    setItems((list) => [...list, { key, name: file.name, size: file.size, progress: 0, state: early ? 'error' : 'uploading', error: early }]);
    if (early) return false;
    try {
      await uploadFile<KnowledgeDocument>(`${knowledgeApi.documents(kb.id)}/upload`, file, {
        orgId: org.id,
        onProgress: (f) => patch(key, { progress: f }),
      });
      patch(key, { progress: 1, state: 'processing' });
      // Keep the row until the table shows the new document, so nothing flickers away.
      await queryClient.invalidateQueries({ queryKey: queryKeys.documents.ofBase(org.id, kb.id) });
      drop(key);
      return true;
    } catch (e) {
      let message = errorMessage(e);
      if (e instanceof ApiError && e.status === 409) {
        const existingId = (e.details as { existingDocumentId?: string } | undefined)?.existingDocumentId;
        let existing = '';
        if (existingId) {
          try {
            existing = (await api<KnowledgeDocument>(knowledgeApi.document(kb.id, existingId), { orgId: org.id })).name;
          } catch {
            // The name is a courtesy; the message below still explains the conflict.
          }
        }
        message = t('docs.duplicateShort', { name: existing || file.name });
        toast.info(t('docs.duplicate', { file: file.name, name: existing || file.name }));
      }
      patch(key, { state: 'error', error: message });
      return false;
    }
  };

  const uploadAll = async (files: File[]) => {
    if (files.length === 0) return;
    const results = await Promise.all(files.map(uploadOne));
    const ok = results.filter(Boolean).length;
    if (ok > 1) toast.success(t('docs.uploaded', { count: ok }));
    await queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id) });
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void uploadAll([...e.dataTransfer.files]);
  };

  return (
    <div>
      <button
        type="button"
        onClick={() => inputRef.current?.click()}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node)) setDragging(false);
        }}
        onDrop={onDrop}
        aria-describedby={hintId}
        className={cx(
          'flex w-full flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-6 py-8 text-center transition-colors focus-visible:ring-2 focus-visible:ring-indigo-600 focus-visible:outline-none',
          dragging
            ? 'border-indigo-500 bg-indigo-50 dark:border-indigo-400 dark:bg-indigo-950/40'
            : 'border-zinc-300 bg-white hover:border-indigo-400 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:border-indigo-600 dark:hover:bg-zinc-900/60',
        )}
      >
        <span className="flex size-10 items-center justify-center rounded-full bg-indigo-50 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
          <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.75" aria-hidden="true">
            <path strokeLinecap="round" strokeLinejoin="round" d="M12 16V4m0 0l-4 4m4-4l4 4M4 16v2a2 2 0 002 2h12a2 2 0 002-2v-2" />
          </svg>
        </span>
        <span className="text-sm font-medium text-zinc-900 dark:text-zinc-100">{dragging ? t('docs.dropActive') : t('docs.dropTitle')}</span>
        <span id={hintId} className="text-xs text-zinc-500">
          {t('docs.dropHint')}
        </span>
      </button>
      <input
        ref={inputRef}
        type="file"
        multiple
        accept={ACCEPT}
        className="hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          // Reset so choosing the same file again still fires a change.
          e.target.value = '';
          void uploadAll(files);
        }}
      />
      {items.length > 0 && (
        <ul aria-label={t('docs.uploads')} className="mt-3 divide-y divide-zinc-100 rounded-xl bg-white shadow-sm ring-1 ring-zinc-200 dark:divide-zinc-800 dark:bg-zinc-900 dark:ring-zinc-800">
          {items.map((item) => (
            <li key={item.key} className="flex items-center gap-3 px-4 py-3">
              <div className="min-w-0 flex-1">
                <div className="flex items-baseline justify-between gap-3">
                  <p className="truncate text-sm font-medium">{item.name}</p>
                  <span className="shrink-0 text-xs text-zinc-500">{formatBytes(item.size, locale)}</span>
                </div>
                {item.state === 'error' ? (
                  <p className="mt-1 text-xs text-red-700 dark:text-red-400" role="alert">
                    {t('docs.uploadFailed')}: {item.error}
                  </p>
                ) : (
                  <div className="mt-1.5 flex items-center gap-3">
                    <ProgressBar
                      value={item.progress}
                      label={t('docs.uploading', { percent: Math.round(item.progress * 100) })}
                      tone={item.state === 'processing' ? 'green' : 'indigo'}
                    />
                    <span className="w-24 shrink-0 text-right text-xs text-zinc-500 tabular-nums">
                      {item.state === 'processing' ? t('docs.uploadDone') : t('docs.uploading', { percent: Math.round(item.progress * 100) })}
                    </span>
                  </div>
                )}
              </div>
              {item.state === 'error' && (
                <Button variant="ghost" size="sm" onClick={() => drop(item.key)} aria-label={t('docs.dismissNamed', { name: item.name })}>
                  {t('docs.dismiss')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Web sources store no file until fetched: a size of 0 there means "not known yet", not empty. */
const docSize = (doc: KnowledgeDocument, locale: string) =>
  doc.sizeBytes === 0 && (doc.source === 'url' || doc.source === 'website') ? '—' : formatBytes(doc.sizeBytes, locale);

// ---- Table ----------------------------------------------------------------------------------

function DocumentsTable({ kb, canWrite, status, q }: { kb: KnowledgeBase; canWrite: boolean; status?: Status; q?: string }) {
  const t = useT();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const org = useOrg();
  const docs = useInfiniteQuery({ ...documentsQuery(org.id, kb.id, { status, q }), placeholderData: keepPreviousData });
  const list = docs.data?.pages.flatMap((p) => p.data) ?? [];
  const actions = useDocumentActions({ orgId: org.id, kbId: kb.id });

  // Counts in the header come from the knowledge base: refresh them as documents finish.
  const working = list.filter(isInProgress).length;
  const prevWorking = useRef(working);
  useEffect(() => {
    if (working < prevWorking.current) void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.all(org.id) });
    prevWorking.current = working;
  }, [working, queryClient, org.id]);

  const [text, setText] = useState(q ?? '');
  const setFilters = (next: { status?: Status; q?: string }) =>
    void navigate({
      from: '/knowledge/$kbId/',
      to: '/knowledge/$kbId',
      params: { kbId: kb.id },
      search: (prev) => ({ ...prev, ...next }),
      replace: true,
    });
  // Debounced so each keystroke does not hit the server.
  useEffect(() => {
    const v = text.trim() || undefined;
    if (v === q) return;
    const h = setTimeout(() => setFilters({ q: v }), 300);
    return () => clearTimeout(h);
    // setFilters is recreated every render; only the typed text and the URL's value decide.
  }, [text, q]);

  const filtered = !!status || !!q;
  const searchId = useId();

  return (
    <section className="rounded-xl bg-white shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <header className="flex flex-wrap items-center gap-3 border-b border-zinc-100 px-4 py-3 dark:border-zinc-800">
        <div className="relative min-w-48 flex-1">
          <label htmlFor={searchId} className="sr-only">
            {t('docs.filterText')}
          </label>
          <svg viewBox="0 0 20 20" className="pointer-events-none absolute top-2.5 left-3 size-4 text-zinc-400" fill="currentColor" aria-hidden="true">
            <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 100 11 5.5 5.5 0 000-11zM2 9a7 7 0 1112.45 4.39l3.08 3.08a.75.75 0 11-1.06 1.06l-3.08-3.08A7 7 0 012 9z" clipRule="evenodd" />
          </svg>
          <input
            id={searchId}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('docs.filterText')}
            className="block w-full rounded-lg border-0 bg-white py-2 pr-3 pl-9 text-sm shadow-sm ring-1 ring-zinc-300 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none dark:bg-zinc-900 dark:ring-zinc-700"
          />
        </div>
        <label className="sr-only" htmlFor={`${searchId}-status`}>
          {t('docs.filterStatus')}
        </label>
        <select
          id={`${searchId}-status`}
          value={status ?? ''}
          onChange={(e) => setFilters({ status: (e.target.value || undefined) as Status | undefined })}
          className="rounded-lg border-0 bg-white py-2 pr-8 pl-3 text-sm shadow-sm ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 dark:bg-zinc-900 dark:ring-zinc-700"
        >
          <option value="">{t('docs.allStatuses')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
        {docs.isFetching && !docs.isPending && <Spinner className="size-4 text-zinc-400" />}
        {canWrite && <AddContentMenu kb={kb} />}
      </header>

      {docs.isPending ? (
        <div role="status" className="flex items-center justify-center gap-3 py-12 text-sm text-zinc-500">
          <Spinner /> {t('common.loading')}
        </div>
      ) : docs.isError ? (
        <div className="p-4">
          <ErrorState message={errorMessage(docs.error)} onRetry={() => void docs.refetch()} />
        </div>
      ) : list.length === 0 ? (
        <div className="p-4">
          {filtered ? (
            <EmptyState
              title={t('docs.noMatch')}
              action={
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => {
                    setText('');
                    setFilters({ status: undefined, q: undefined });
                  }}
                >
                  {t('docs.clearFilters')}
                </Button>
              }
            />
          ) : (
            <EmptyState title={t('docs.emptyTitle')} description={canWrite ? t('docs.emptyDesc') : t('docs.emptyViewer')} />
          )}
        </div>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" aria-label={t('docs.tableLabel')}>
              <thead className="border-b border-zinc-100 text-xs text-zinc-500 uppercase dark:border-zinc-800">
                <tr>
                  <th scope="col" className="px-4 py-3 font-medium">{t('docs.name')}</th>
                  <th scope="col" className="px-4 py-3 font-medium">{t('docs.status')}</th>
                  <th scope="col" className="hidden px-4 py-3 text-right font-medium md:table-cell">{t('docs.size')}</th>
                  <th scope="col" className="hidden px-4 py-3 text-right font-medium lg:table-cell">{t('docs.pages')}</th>
                  <th scope="col" className="hidden px-4 py-3 text-right font-medium sm:table-cell">{t('docs.chunks')}</th>
                  <th scope="col" className="hidden px-4 py-3 text-right font-medium lg:table-cell">{t('docs.tokens')}</th>
                  <th scope="col" className="hidden px-4 py-3 font-medium xl:table-cell">{t('docs.updated')}</th>
                  <th scope="col" className="px-2 py-3">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {list.map((doc) => (
                  <tr key={doc.id} className="align-top hover:bg-zinc-50/60 dark:hover:bg-zinc-800/30">
                    <td className="max-w-48 px-4 py-3 sm:max-w-72">
                      <div className="flex items-start gap-3">
                        <span className="hidden sm:block">
                          <SourceIcon source={doc.source} />
                        </span>
                        <div className="min-w-0">
                          <Link
                            to="/knowledge/$kbId/documents/$docId"
                            params={{ kbId: kb.id, docId: doc.id }}
                            className="block truncate font-medium text-zinc-900 hover:text-indigo-700 hover:underline dark:text-zinc-100 dark:hover:text-indigo-300"
                            title={doc.name}
                          >
                            {doc.name}
                          </Link>
                          <p className="truncate text-xs text-zinc-500" title={doc.sourceUrl ?? undefined}>
                            {t(`source.${doc.source}`)}
                            {sourceDetail(doc) && ` · ${sourceDetail(doc)}`}
                            <span className="md:hidden"> · {docSize(doc, locale)}</span>
                          </p>
                        </div>
                      </div>
                    </td>
                    <td className="px-4 py-3">
                      <DocumentStatus doc={doc} compact />
                    </td>
                    <td className="hidden px-4 py-3 text-right whitespace-nowrap text-zinc-600 tabular-nums md:table-cell dark:text-zinc-400">{docSize(doc, locale)}</td>
                    <td className="hidden px-4 py-3 text-right text-zinc-600 tabular-nums lg:table-cell dark:text-zinc-400">{formatNumber(doc.pageCount, locale)}</td>
                    <td className="hidden px-4 py-3 text-right text-zinc-600 tabular-nums sm:table-cell dark:text-zinc-400">{formatNumber(doc.chunkCount, locale)}</td>
                    <td className="hidden px-4 py-3 text-right text-zinc-600 tabular-nums lg:table-cell dark:text-zinc-400">{formatNumber(doc.tokenCount, locale)}</td>
                    <td className="hidden px-4 py-3 whitespace-nowrap text-zinc-500 xl:table-cell">{formatDate(doc.updatedAt, locale)}</td>
                    <td className="px-2 py-2.5 text-right">
                      <DropdownMenu
                        label={t('docs.actionsFor', { name: doc.name })}
                        items={[
                          {
                            label: t('docs.open'),
                            onSelect: () => void navigate({ to: '/knowledge/$kbId/documents/$docId', params: { kbId: kb.id, docId: doc.id } }),
                          },
                          { label: t('docs.rename'), onSelect: () => actions.run('rename', doc), hidden: !canWrite },
                          { label: t('docs.reprocess'), onSelect: () => actions.run('reprocess', doc), hidden: !canWrite || isInProgress(doc) },
                          {
                            label: t('docs.refresh'),
                            onSelect: () => actions.run('refresh', doc),
                            hidden: !canWrite || (doc.source !== 'url' && doc.source !== 'website') || isInProgress(doc),
                          },
                          { label: t('common.delete'), onSelect: () => actions.run('delete', doc), hidden: !canWrite, danger: true },
                        ]}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {docs.hasNextPage && (
            <div className="flex justify-center border-t border-zinc-100 p-3 dark:border-zinc-800">
              <Button variant="secondary" size="sm" loading={docs.isFetchingNextPage} onClick={() => void docs.fetchNextPage()}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
      {actions.dialogs}
    </section>
  );
}
