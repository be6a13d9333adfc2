import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useState, type ReactNode } from 'react';
import { Badge, Button, Card, EmptyState, ErrorState, SelectField, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import type { ApiResponse } from '../../../../lib/api-contract';
import { api } from '../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { knowledgeApi, type FusionProfile, type KnowledgeBase, type RetrievalMode, type SearchHit } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';

const MODES: RetrievalMode[] = ['hybrid', 'vector', 'fulltext'];

export function SearchTab({ kb }: { kb: KnowledgeBase }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const org = useOrg();
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<RetrievalMode>(kb.retrieval.mode);
  const [topK, setTopK] = useState(String(kb.retrieval.topK));
  const queryId = useId();
  const search = useMutation({
    meta: OWN_ERROR,
    mutationFn: (body: { query: string; mode: RetrievalMode; topK: number }) =>
      api<ApiResponse<'/api/v1/knowledge-bases/{kb_id}/search', 'post'>>(`${knowledgeApi.base(kb.id)}/search`, { method: 'POST', body, orgId: org.id }),
  });
  const submitted = search.variables?.query ?? '';

  return (
    <div className="space-y-6">
      <Card>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (query.trim()) search.mutate({ query: query.trim(), mode, topK: Math.min(50, Math.max(1, Number(topK) || kb.retrieval.topK)) });
          }}
          className="space-y-4"
        >
          <div>
            <label htmlFor={queryId} className="mb-1.5 block text-sm font-medium text-zinc-700 dark:text-zinc-300">
              {t('search.query')}
            </label>
            <textarea
              id={queryId}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                // Enter searches, Shift+Enter adds a line: like a chat box.
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  e.currentTarget.form?.requestSubmit();
                }
              }}
              rows={2}
              required
              placeholder={t('search.placeholder')}
              className="block w-full resize-y rounded-lg border-0 bg-white px-3 py-2.5 text-base text-zinc-900 shadow-sm ring-1 ring-zinc-300 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none sm:text-sm dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700"
            />
            <p className="mt-1.5 text-xs text-zinc-500">{t('search.intro')}</p>
          </div>
          <div className="flex flex-wrap items-end gap-3">
            <SelectField className="min-w-56 flex-1 sm:flex-none" label={t('search.mode')} value={mode} onChange={(e) => setMode(e.target.value as RetrievalMode)}>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`search.mode.${m}`)}
                </option>
              ))}
            </SelectField>
            <TextField className="w-24" label={t('search.topK')} type="number" min={1} max={50} value={topK} onChange={(e) => setTopK(e.target.value)} />
            <Button type="submit" loading={search.isPending} className="sm:ml-auto">
              {t('search.submit')}
            </Button>
          </div>
        </form>
      </Card>

      {search.isError ? (
        <ErrorState message={errorMessage(search.error)} onRetry={() => search.variables && search.mutate(search.variables)} />
      ) : search.data ? (
        <section aria-labelledby={`${queryId}-results`}>
          <h2 id={`${queryId}-results`} className="mb-3 flex flex-wrap items-baseline gap-x-2 text-sm font-medium text-zinc-600 dark:text-zinc-400">
            <span className="sr-only">{t('search.resultsLabel')}: </span>
            {t('search.summary', { count: search.data.data.length, ms: Math.round(search.data.tookMs) })}
          </h2>
          {search.variables?.mode === 'hybrid' && <FusionNote fusion={search.data.fusion} />}
          {search.data.data.length === 0 ? (
            <EmptyState title={t('search.noResults')} description={t('search.noResultsDesc')} />
          ) : (
            <ol className="space-y-3" aria-label={t('search.resultsLabel')}>
              {search.data.data.map((hit, i) => (
                <SearchResult key={hit.chunkId} hit={hit} rank={i + 1} query={submitted} />
              ))}
            </ol>
          )}
        </section>
      ) : null}
    </div>
  );
}

function SearchResult({ hit, rank, query }: { hit: SearchHit; rank: number; query: string }) {
  const t = useT();
  const locale = useLocale();
  const pct = Math.round(Math.max(0, Math.min(1, hit.score)) * 100);
  const score = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(hit.score);
  const fmt = (n?: number) => (n == null ? '' : new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(n));
  const url = hit.location.url ?? hit.sourceUrl ?? undefined;
  return (
    <li className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-xs font-semibold text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">{rank}</span>
        <Link
          to="/knowledge/$kbId/documents/$docId"
          params={{ kbId: hit.knowledgeBaseId, docId: hit.documentId }}
          className="min-w-0 truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300"
        >
          {hit.documentName}
        </Link>
        <span className="text-xs text-zinc-500">{t('search.chunk', { position: hit.position + 1 })}</span>
        <div className="ml-auto flex items-center gap-2" title={`${t('search.score')}: ${score}`}>
          <span className="sr-only">{t('search.score')}</span>
          <div className="h-2 w-24 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800" aria-hidden="true">
            <div className="h-full rounded-full bg-gradient-to-r from-indigo-500 to-emerald-500" style={{ width: `${pct}%` }} />
          </div>
          <span className="w-10 text-right text-sm font-semibold tabular-nums">{score}</span>
        </div>
      </div>
      <Location location={hit.location} url={url} />
      <p className="mt-3 line-clamp-6 text-sm leading-relaxed whitespace-pre-line text-zinc-700 dark:text-zinc-300">
        <Highlight text={hit.content} query={query} />
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2 text-xs text-zinc-500">
        <span>{t('search.foundBy')}:</span>
        {hit.retrievers.includes('vector') && (
          <span title={hit.vectorScore != null ? fmt(hit.vectorScore) : undefined}>
            <Badge tone="indigo">
              {t('search.vector')}
              {hit.vectorScore != null && <span className="ml-1 opacity-70 tabular-nums">{fmt(hit.vectorScore)}</span>}
            </Badge>
          </span>
        )}
        {hit.retrievers.includes('fulltext') && (
          <span title={hit.fulltextScore != null ? fmt(hit.fulltextScore) : undefined}>
            <Badge tone="amber">
              {t('search.fulltext')}
              {hit.fulltextScore != null && <span className="ml-1 opacity-70 tabular-nums">{fmt(hit.fulltextScore)}</span>}
            </Badge>
          </span>
        )}
      </div>
      {hit.why && <WhyThisRank hit={hit} />}
    </li>
  );
}

/** What hybrid fusion does for this knowledge base's embedding model, and why. */
function FusionNote({ fusion }: { fusion: FusionProfile }) {
  const t = useT();
  const locale = useLocale();
  const pct = (n: number) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(n);
  const total = fusion.fulltextWeight + fusion.vectorWeight;
  return (
    <p className="mb-3 rounded-lg bg-zinc-50 px-3 py-2 text-xs text-zinc-600 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-800">
      <span className="font-medium text-zinc-700 dark:text-zinc-300">
        {t(fusion.method === 'rrf' ? 'search.fusion.rrf' : 'search.fusion.convex', {
          fulltext: pct(fusion.fulltextWeight / total),
          vector: pct(fusion.vectorWeight / total),
          k: fusion.k,
        })}
      </span>{' '}
      {fusion.kind === 'custom' ? fusion.reason : t(`search.fusion.${fusion.kind}`)}
    </p>
  );
}

/** "Why this rank": each retriever's rank and what it added to the fused score. */
function WhyThisRank({ hit }: { hit: SearchHit }) {
  const t = useT();
  const locale = useLocale();
  const fmt = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(n);
  const why = hit.why!;
  const rank = (r?: number) => (r == null ? t('search.why.absent') : `#${r}`);
  return (
    <details className="mt-2 text-xs text-zinc-500">
      <summary className="cursor-pointer select-none">{t('search.why')}</summary>
      <dl className="mt-1.5 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 tabular-nums">
        <dt>{t('search.fulltext')}</dt>
        <dd>{t('search.why.part', { rank: rank(why.fulltextRank), score: hit.fulltextScore == null ? '–' : fmt(hit.fulltextScore), part: fmt(why.fulltextPart) })}</dd>
        <dt>{t('search.vector')}</dt>
        <dd>{t('search.why.part', { rank: rank(why.vectorRank), score: hit.vectorScore == null ? '–' : fmt(hit.vectorScore), part: fmt(why.vectorPart) })}</dd>
        <dt>{t('search.why.fused')}</dt>
        <dd>{fmt(hit.score)}</dd>
      </dl>
    </details>
  );
}

/** Page, heading path and source anchor of a chunk: where an answer would cite. */
export function Location({ location, url }: { location: SearchHit['location']; url?: string }) {
  const t = useT();
  const parts: ReactNode[] = [];
  if (location.page != null) parts.push(<span key="p">{t('search.page', { page: location.page })}</span>);
  if (location.headings?.length)
    parts.push(
      <span key="h" className="min-w-0 truncate" title={location.headings.join(' › ')}>
        {location.headings.join(' › ')}
      </span>,
    );
  if (url)
    parts.push(
      <a key="u" href={url} target="_blank" rel="noopener noreferrer" className="min-w-0 truncate text-indigo-700 hover:underline dark:text-indigo-300">
        {url.replace(/^https?:\/\//, '')}
        <span className="sr-only"> ({t('common.newTab')})</span>
      </a>,
    );
  if (parts.length === 0) return null;
  return (
    <p className="mt-2 flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1 text-xs text-zinc-500">
      {parts.map((p, i) => (
        <span key={i} className="flex min-w-0 items-center gap-2">
          {i > 0 && <span aria-hidden="true">·</span>}
          {p}
        </span>
      ))}
    </p>
  );
}

/** Marks the query's words in the chunk, accent- and case-insensitively, so the match is easy to spot. */
function Highlight({ text, query }: { text: string; query: string }) {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const words = [...new Set(fold(query).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3))];
  if (words.length === 0) return <>{text}</>;
  // Folding keeps one character per character only for precomposed letters, so map by index
  // on the folded copy when lengths agree; otherwise show the text plain.
  const folded = fold(text);
  if (folded.length !== text.length) return <>{text}</>;
  const re = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of folded.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > last) out.push(text.slice(last, start));
    out.push(
      <mark key={start} className="rounded-sm bg-amber-100 text-inherit dark:bg-amber-900/60">
        {text.slice(start, end)}
      </mark>,
    );
    last = end;
  }
  out.push(text.slice(last));
  return <>{out}</>;
}
