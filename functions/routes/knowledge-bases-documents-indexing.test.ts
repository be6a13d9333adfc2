import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { settledDocument, setupKnowledgeBase } from '../testing/knowledge';

/** A document's chunks, reprocessing and refreshing (/documents/{doc_id}/chunks, /reprocess, /refresh). */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('document indexing', () => {
  it('pages through the chunks in order, reprocesses to the same chunks, and refuses to refresh a text', async () => {
    const { user, base } = await setupKnowledgeBase(api);
    const paragraph = (i: number) => `El apartado ${i} explica la condición número ${i} del servicio, con sus plazos, excepciones y ejemplos. `.repeat(6);
    const text = Array.from({ length: 20 }, (_, i) => `## Sección ${i}\n\n${paragraph(i)}`).join('\n\n');
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'Condiciones', text } });
    expect(created.status, created.text).toBe(202);
    const doc = await settledDocument(api, user, base, created.body.id);
    expect(doc.status).toBe('ready');

    const chunksAt = `${base}/documents/${doc.id}/chunks`;
    const first = await api.call('GET', `${chunksAt}?limit=2`, { token: user.token });
    expect(first.body.data.map((c: { position: number }) => c.position)).toEqual([0, 1]);
    expect(first.body.nextCursor).toBe('2');
    const all = await api.call('GET', `${chunksAt}?limit=200`, { token: user.token });
    expect(all.body.data).toHaveLength(doc.chunkCount);
    expect(all.body.nextCursor).toBeNull();
    expect((await api.call('GET', `${chunksAt}?cursor=nope`, { token: user.token })).status).toBe(400);

    const reprocessed = await api.call('POST', `${base}/documents/${doc.id}/reprocess`, { token: user.token });
    expect(reprocessed.status, reprocessed.text).toBe(202);
    const again = await settledDocument(api, user, base, doc.id);
    expect(again).toMatchObject({ status: 'ready', chunkCount: doc.chunkCount });
    const after = await api.call('GET', `${chunksAt}?limit=200`, { token: user.token });
    expect(after.body.data.map((c: { content: string }) => c.content)).toEqual(all.body.data.map((c: { content: string }) => c.content));

    const refresh = await api.call('POST', `${base}/documents/${doc.id}/refresh`, { token: user.token });
    expect(refresh.status).toBe(400);
  });

  it('keeps the term statistics exact when reprocessing rewrites more chunks than one write batch', async () => {
    const { user, base, kbId } = await setupKnowledgeBase(api);
    // Forty chunks: the old version's deletion and the new version's insertion each take several
    // batches (they start at 8 rows), and every batch moves the statistics.
    const pairs = Array.from({ length: 40 }, (_, i) => ({ question: `Pregunta ${i} sobre el modelo Zafiro${i % 3}`, answer: `Respuesta ${i}: la lámpara Zafiro${i % 3} dura ${i} años.` }));
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'qa', name: 'FAQ', pairs } });
    expect(created.status, created.text).toBe(202);
    const doc = await settledDocument(api, user, base, created.body.id);
    expect(doc).toMatchObject({ status: 'ready', chunkCount: 40 });
    const recounted = await termStatisticsMismatches(kbId);
    expect(recounted).toEqual({ missing: 0, wrong: 0, extra: 0, chunks: 40 });

    expect((await api.call('POST', `${base}/documents/${doc.id}/reprocess`, { token: user.token })).status).toBe(202);
    expect(await settledDocument(api, user, base, doc.id)).toMatchObject({ status: 'ready', chunkCount: 40 });
    expect(await termStatisticsMismatches(kbId)).toEqual({ missing: 0, wrong: 0, extra: 0, chunks: 40 });

    expect((await api.call('DELETE', `${base}/documents/${doc.id}`, { token: user.token })).status).toBe(204);
    expect(await termStatisticsMismatches(kbId)).toEqual({ missing: 0, wrong: 0, extra: 0, chunks: 0 });
  });
});

/** The stored term statistics of a knowledge base against a recount from its chunks. */
async function termStatisticsMismatches(kbId: string) {
  const { rows } = await api.runtime.database.pglite.query<{ missing: number; wrong: number; extra: number; chunks: number }>(
    `WITH counted AS (
       SELECT u.lexeme, count(*)::int AS n FROM chunks c CROSS JOIN LATERAL unnest(c.search_vector) u
       WHERE c.knowledge_base_id = $1 GROUP BY u.lexeme),
     stored AS (SELECT lexeme, chunk_count AS n FROM knowledge_base_terms WHERE knowledge_base_id = $1)
     SELECT (SELECT count(*)::int FROM counted LEFT JOIN stored USING (lexeme) WHERE stored.n IS NULL) AS missing,
            (SELECT count(*)::int FROM counted JOIN stored s USING (lexeme) WHERE s.n <> counted.n) AS wrong,
            (SELECT count(*)::int FROM stored LEFT JOIN counted USING (lexeme) WHERE counted.n IS NULL) AS extra,
            coalesce((SELECT chunk_count FROM knowledge_base_text_stats WHERE knowledge_base_id = $1), 0) AS chunks`,
    [kbId],
  );
  return rows[0];
}
