import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunks, documents, knowledgeBases, organizations } from '../../../db/schema';
import { startLocalRuntime, type LocalRuntime } from '../../local-runtime';
import type { Embedder, Embeddings } from '../../ports';
import { createEmbeddings, createHashEmbedder } from '../embeddings';
import { namespaceFor, parseVectorId, vectorId } from './namespace';
import { searchKnowledge, type SearchInput, type SearchServices } from './search';

let runtime: LocalRuntime;
let services: SearchServices;

beforeAll(async () => {
  runtime = await startLocalRuntime({ dataDir: null });
  const base: Embeddings = runtime.services.embeddings ?? createEmbeddings(runtime.config);
  const embeddings: Embeddings = { ...base, get: (id) => (id === OTHER_MODEL ? mirrored : base.get(id)) };
  services = { db: runtime.services.db, vectors: runtime.services.vectors, embeddings };
}, 60_000);
afterAll(() => runtime?.close());

const MODEL = 'builtin-hash-384';
/**
 * A second model of the same dimension whose vectors are the built-in ones negated: a text is as
 * similar to itself as before, but a query embedded with the other model scores about -1 against
 * it. Same dimension, so a search that embeds the query with the wrong model gets no error to
 * hide behind; it simply finds the opposite.
 */
const OTHER_MODEL = 'builtin-mirror-384';
const builtin = createHashEmbedder(384);
const mirrored: Embedder = {
  model: OTHER_MODEL,
  dimension: 384,
  embed: async (texts) => (await builtin.embed(texts)).map((vector) => vector.map((v) => -v)),
};

/** A fresh organization with one knowledge base; every test seeds its own. */
async function seedOrg() {
  const [org] = await services.db
    .insert(organizations)
    .values({ name: 'Acme', slug: `acme-${randomUUID()}` })
    .returning();
  const [kb] = await services.db.insert(knowledgeBases).values({ organizationId: org.id, name: 'Help center' }).returning();
  return { orgId: org.id, kbId: kb.id };
}

async function addDocument(
  owner: { orgId: string; kbId: string },
  name: string,
  texts: string[],
  options: { status?: 'pending' | 'processing' | 'ready' | 'failed'; namespaceKbId?: string; sourceUrl?: string; model?: string } = {},
) {
  const [doc] = await services.db
    .insert(documents)
    .values({
      organizationId: owner.orgId,
      knowledgeBaseId: owner.kbId,
      name,
      source: 'text',
      status: options.status ?? 'ready',
      sourceUrl: options.sourceUrl,
    })
    .returning();
  const rows = await services.db
    .insert(chunks)
    .values(
      texts.map((content, position) => ({
        organizationId: owner.orgId,
        knowledgeBaseId: owner.kbId,
        documentId: doc.id,
        position,
        content,
        location: { headings: [name] },
      })),
    )
    .returning();
  const vectors = await services.embeddings.get(options.model ?? MODEL).embed(texts);
  await services.vectors.upsert(
    namespaceFor(options.namespaceKbId ?? owner.kbId),
    vectors.map((values, position) => ({ id: vectorId(doc.id, position), values })),
  );
  return { documentId: doc.id, chunkIds: rows.map((r) => r.id) };
}

/**
 * Which way search loads vector hits: with the full-text statement (vectors in the same database,
 * the local runtime) or in parallel with it (a remote vector store such as Pinecone, the edge).
 * Every search test runs both ways.
 */
let colocated = true;
const searchServices = (): SearchServices => ({ ...services, vectors: { ...services.vectors, colocated } });

const search = (owner: { orgId: string; kbId: string }, query: string, extra: Partial<SearchInput> = {}) =>
  searchKnowledge(searchServices(), {
    organizationId: owner.orgId,
    knowledgeBases: [{ id: owner.kbId, embeddingModel: MODEL, vectorGeneration: 0 }],
    query,
    topK: 5,
    mode: 'hybrid',
    ...extra,
  });

const HELP = {
  shipping: [
    'Los pedidos realizados antes de las 14:00 se envían el mismo día laborable desde nuestro almacén de Zaragoza.',
    'El envío a Canarias, Ceuta y Melilla tarda entre 5 y 7 días laborables y puede tener costes de aduana.',
    'Orders to Portugal and France are delivered in 3 to 4 business days by our courier partner.',
  ],
  billing: [
    'Puedes descargar cada factura en PDF desde Mi cuenta > Facturación; se emite el día del cobro.',
    'Aceptamos tarjeta Visa, Mastercard, PayPal y transferencia bancaria para pedidos de empresa.',
  ],
  refunds: [
    'Refunds are issued to the original payment method within 10 days after we receive the returned item.',
    'Las devoluciones son gratuitas durante 30 días: imprime la etiqueta desde el correo de confirmación.',
  ],
  hours: ['Our support team answers chats Monday to Friday from 9 am to 6 pm, Central European Time.'],
};

async function seedHelpCenter(owner: { orgId: string; kbId: string }) {
  const docs: Record<string, { documentId: string; chunkIds: string[] }> = {};
  for (const [name, texts] of Object.entries(HELP)) docs[name] = await addDocument(owner, name, texts);
  return docs;
}

describe('namespace helpers', () => {
  it('round-trips vector ids and rejects foreign ones', () => {
    const id = randomUUID();
    expect(namespaceFor('abc')).toBe('kb_abc');
    expect(parseVectorId(vectorId(id, 12))).toEqual({ documentId: id, position: 12 });
    expect(parseVectorId('no-hash')).toBeNull();
    expect(parseVectorId('doc#')).toBeNull();
    expect(parseVectorId('doc#-1')).toBeNull();
    expect(parseVectorId('doc#1.5')).toBeNull();
  });
});

describe.each([
  ['vectors in the same database', true],
  ['a remote vector store', false],
])('searchKnowledge with %s', (_label, together) => {
  beforeAll(() => {
    colocated = together;
  });
  it('finds by keywords and by meaning, labelling the retrievers', async () => {
    const owner = await seedOrg();
    const docs = await seedHelpCenter(owner);

    const hits = await search(owner, '¿Cuánto tarda el envío a Canarias?');
    expect(hits[0], JSON.stringify(hits, null, 2)).toMatchObject({
      chunkId: docs.shipping.chunkIds[1],
      documentId: docs.shipping.documentId,
      documentName: 'shipping',
      knowledgeBaseId: owner.kbId,
      position: 1,
      location: { headings: ['shipping'] },
      retrievers: ['vector', 'fulltext'],
    });
    expect(hits[0].score).toBeGreaterThan(0.9);
    expect(hits[0].vectorScore).toBeGreaterThan(0);
    expect(hits[0].fulltextScore).toBeGreaterThan(0);
    // A word of the query the chunk lacks lowers its full-text score ("PayPal" is in another chunk).
    const allWords = await search(owner, 'envío Canarias', { mode: 'fulltext' });
    const partial = await search(owner, 'envío Canarias PayPal', { mode: 'fulltext' });
    expect(allWords[0].chunkId).toBe(docs.shipping.chunkIds[1]);
    const partialScore = partial.find((h) => h.chunkId === docs.shipping.chunkIds[1])?.fulltextScore;
    expect(partialScore, JSON.stringify(partial, null, 2)).toBeLessThan(allWords[0].fulltextScore!);
    expect(hits.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);

    // Unaccented, singular query against "Las devoluciones son gratuitas", vectors only.
    const vectorOnly = await search(owner, 'devolucion gratis', { mode: 'vector' });
    expect(vectorOnly[0].chunkId, JSON.stringify(vectorOnly, null, 2)).toBe(docs.refunds.chunkIds[1]);
    expect(vectorOnly.every((h) => h.retrievers.join() === 'vector' && h.fulltextScore === undefined)).toBe(true);
    expect(vectorOnly[0].score).toBe(1);

    const english = await search(owner, 'when is the support team available to chat');
    expect(english[0].chunkId, JSON.stringify(english, null, 2)).toBe(docs.hours.chunkIds[0]);
  });

  it('stems Spanish in full-text search: "facturas" finds "factura"', async () => {
    const owner = await seedOrg();
    const docs = await seedHelpCenter(owner);
    const hits = await search(owner, 'facturas', { mode: 'fulltext' });
    expect(hits.map((h) => h.chunkId), JSON.stringify(hits, null, 2)).toEqual([docs.billing.chunkIds[0]]);
    expect(hits[0]).toMatchObject({ retrievers: ['fulltext'], score: 1 });
    expect(hits[0].vectorScore).toBeUndefined();

    const english = await search(owner, 'deliveries to France', { mode: 'fulltext' });
    expect(english[0].chunkId, JSON.stringify(english, null, 2)).toBe(docs.shipping.chunkIds[2]);
  });

  it('finds hyphenated codes as written', async () => {
    const owner = await seedOrg();
    await seedHelpCenter(owner);
    const doc = await addDocument(owner, 'errors', ['Si la app muestra el error E-1505, reinicia la bombilla.', 'El error E-2001 indica wifi de 5 GHz.']);
    const hits = await search(owner, 'error E-1505', { mode: 'fulltext' });
    expect(hits[0]?.chunkId, JSON.stringify(hits, null, 2)).toBe(doc.chunkIds[0]);
  });

  it('never returns chunks of documents that are not ready', async () => {
    const owner = await seedOrg();
    await seedHelpCenter(owner);
    const secret = 'El código promocional VERANO2026 da un 15% de descuento en pedidos de más de 50 euros.';
    const pending = await addDocument(owner, 'promo-pending', [secret], { status: 'pending' });
    const processing = await addDocument(owner, 'promo-processing', [secret], { status: 'processing' });
    const failed = await addDocument(owner, 'promo-failed', [secret], { status: 'failed' });
    const hidden = new Set([pending, processing, failed].flatMap((d) => d.chunkIds));

    for (const mode of ['hybrid', 'vector', 'fulltext'] as const) {
      const hits = await search(owner, 'código promocional VERANO2026 descuento', { mode, topK: 20 });
      expect(hits.filter((h) => hidden.has(h.chunkId)), mode).toEqual([]);
    }
    const ready = await addDocument(owner, 'promo', [secret]);
    const hits = await search(owner, 'código promocional VERANO2026 descuento');
    expect(hits[0].chunkId).toBe(ready.chunkIds[0]);
    expect(hits[0].retrievers).toEqual(['vector', 'fulltext']);
  });

  it("never returns another organization's chunks, even when their vectors sit in this namespace", async () => {
    const mine = await seedOrg();
    const theirs = await seedOrg();
    await seedHelpCenter(mine);
    const text = 'La contraseña del wifi de la oficina de Valencia es Naranja-4242.';
    // Their document, with its vector written into MY knowledge base's namespace (a buggy or
    // malicious store), and their knowledge base id passed along with mine.
    const leaked = await addDocument(theirs, 'wifi', [text], { namespaceKbId: mine.kbId });
    await addDocument(theirs, 'wifi-own', [text]);

    for (const mode of ['hybrid', 'vector', 'fulltext'] as const) {
      const hits = await searchKnowledge(searchServices(), {
        organizationId: mine.orgId,
        knowledgeBases: [
          { id: mine.kbId, embeddingModel: MODEL, vectorGeneration: 0 },
          { id: theirs.kbId, embeddingModel: MODEL, vectorGeneration: 0 },
        ],
        query: 'contraseña wifi oficina Valencia',
        topK: 20,
        mode,
      });
      expect(hits.filter((h) => h.knowledgeBaseId !== mine.kbId), mode).toEqual([]);
      expect(hits.some((h) => h.documentId === leaked.documentId)).toBe(false);
    }
    // The owner does find it.
    const own = await search(theirs, 'contraseña wifi oficina Valencia');
    expect(own[0].content).toBe(text);
  });

  it('ignores vector ids it did not write and chunks of knowledge bases not asked for', async () => {
    const owner = await seedOrg();
    const docs = await seedHelpCenter(owner);
    const [kb2] = await services.db
      .insert(knowledgeBases)
      .values({ organizationId: owner.orgId, name: 'Other' })
      .returning();
    const other = await addDocument({ orgId: owner.orgId, kbId: kb2.id }, 'other', ['Envío gratis en pedidos de más de 50 euros.']);
    const [v] = await services.embeddings.get(MODEL).embed(['envío gratis']);
    await services.vectors.upsert(namespaceFor(owner.kbId), [
      { id: 'garbage', values: v },
      { id: 'not-a-uuid#0', values: v },
      // Same org, but a chunk of kb2 surfacing in kb1's namespace.
      { id: vectorId(other.documentId, 0), values: v },
    ]);
    const hits = await search(owner, 'envío gratis', { topK: 20 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.knowledgeBaseId === owner.kbId)).toBe(true);
    expect(hits.some((h) => h.chunkId === docs.shipping.chunkIds[1] || h.chunkId === docs.shipping.chunkIds[0])).toBe(true);
  });

  it('respects topK and the score threshold', async () => {
    const owner = await seedOrg();
    await seedHelpCenter(owner);
    const all = await search(owner, 'pedidos envío días', { topK: 50 });
    expect(all.length).toBeGreaterThan(3);
    const two = await search(owner, 'pedidos envío días', { topK: 2 });
    expect(two.map((h) => h.chunkId)).toEqual(all.slice(0, 2).map((h) => h.chunkId));

    // The threshold is on relevance (the better of vector similarity and full-text match), so it
    // drops weak passages whatever their rank.
    const cut = [...all.map((h) => h.relevance)].sort((a, b) => a - b)[Math.floor(all.length / 2)];
    const strict = await search(owner, 'pedidos envío días', { topK: 50, scoreThreshold: cut });
    expect(strict.length).toBeGreaterThan(0);
    expect(strict.length).toBeLessThan(all.length);
    expect(strict.every((h) => h.relevance >= cut)).toBe(true);
    expect(all.filter((h) => h.relevance >= cut).map((h) => h.chunkId)).toEqual(strict.map((h) => h.chunkId));
    expect(await search(owner, 'pedidos envío días', { scoreThreshold: 1.01 })).toEqual([]);
  });

  it('returns nothing for empty input and handles queries without content words', async () => {
    const owner = await seedOrg();
    await seedHelpCenter(owner);
    expect(await search(owner, '   ')).toEqual([]);
    expect(await search(owner, 'envío', { topK: 0 })).toEqual([]);
    expect(await search(owner, 'envío', { knowledgeBases: [] })).toEqual([]);
    expect(await search(owner, 'de la y el of the')).toEqual([]);
    // websearch syntax characters are just text.
    await expect(search(owner, '"envío" -canarias OR (:*&|!')).resolves.toBeInstanceOf(Array);
  });

  it('searches several knowledge bases with different embedding models, each queried with its own', async () => {
    const owner = await seedOrg();
    const help = await seedHelpCenter(owner);
    const [kb2] = await services.db
      .insert(knowledgeBases)
      .values({ organizationId: owner.orgId, name: 'Legacy', embeddingModel: OTHER_MODEL, embeddingDimension: 384 })
      .returning();
    const legacy = await addDocument({ orgId: owner.orgId, kbId: kb2.id }, 'legacy', ['Las devoluciones de productos electrónicos son gratuitas durante dos años.'], {
      model: OTHER_MODEL,
    });
    const run = (mode: SearchInput['mode']) =>
      searchKnowledge(searchServices(), {
        organizationId: owner.orgId,
        knowledgeBases: [
          { id: owner.kbId, embeddingModel: MODEL, vectorGeneration: 0 },
          { id: kb2.id, embeddingModel: OTHER_MODEL, vectorGeneration: 0 },
        ],
        query: 'devoluciones gratuitas',
        topK: 5,
        mode,
      });
    // Vectors only: each knowledge base's best chunk scores high only if the query was embedded
    // with that knowledge base's model (with the other one it scores below zero).
    const vectorOnly = await run('vector');
    const byChunk = new Map(vectorOnly.map((hit) => [hit.chunkId, hit]));
    const ownReturns = help.refunds.chunkIds[1];
    expect(byChunk.get(legacy.chunkIds[0])?.vectorScore, JSON.stringify(vectorOnly, null, 2)).toBeGreaterThan(0.3);
    expect(byChunk.get(ownReturns)?.vectorScore, JSON.stringify(vectorOnly, null, 2)).toBeGreaterThan(0.3);
    expect(byChunk.get(legacy.chunkIds[0])?.knowledgeBaseId).toBe(kb2.id);
    // Hybrid fuses both: the two matching chunks, one per model, lead the list.
    const hybrid = await run('hybrid');
    expect(hybrid.slice(0, 2).map((hit) => hit.chunkId).sort(), JSON.stringify(hybrid, null, 2)).toEqual([legacy.chunkIds[0], ownReturns].sort());
    expect(hybrid.find((hit) => hit.chunkId === legacy.chunkIds[0])?.retrievers).toEqual(['vector', 'fulltext']);
    await expect(search(owner, 'x', { knowledgeBases: [{ id: owner.kbId, embeddingModel: 'nope', vectorGeneration: 0 }] })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('weighs words by rarity (BM25): a rare name outranks common words repeated', async () => {
    const owner = await seedOrg();
    const filler = Array.from(
      { length: 12 },
      (_, i) => `El premio anual se lo dieron al equipo ${i}: premio a la constancia, y le dieron también un premio del público.`,
    );
    await addDocument(owner, 'premios', filler);
    const target = await addDocument(owner, 'corliss', ['Corliss recibió la medalla de oro de la exposición por su máquina de vapor.']);
    const hits = await search(owner, '¿Qué premio le dieron a Corliss?', { mode: 'fulltext' });
    expect(hits[0]?.chunkId, JSON.stringify(hits.map((h) => [h.content.slice(0, 40), h.fulltextScore]))).toBe(target.chunkIds[0]);
    // And hybrid keeps it first: the built-in embedder's list must not outvote full text.
    const hybrid = await search(owner, '¿Qué premio le dieron a Corliss?');
    expect(hybrid[0]?.chunkId).toBe(target.chunkIds[0]);
  });
});

describe('full-text term statistics', () => {
  const stats = async (kbId: string, lexeme: string) => {
    const rows = await runtime.database.pglite.query<{ n: number | null; chunks: number | null }>(
      `SELECT (SELECT chunk_count FROM knowledge_base_terms WHERE knowledge_base_id = $1 AND lexeme = $2) AS n,
              (SELECT chunk_count FROM knowledge_base_text_stats WHERE knowledge_base_id = $1) AS chunks`,
      [kbId, lexeme],
    );
    return rows.rows[0];
  };

  it('follow chunks in and out: deleting a document updates them', async () => {
    const owner = await seedOrg();
    const doc = await addDocument(owner, 'a', ['Corliss construyó máquinas de vapor.', 'La máquina de Corliss ganó la medalla.']);
    const other = await addDocument(owner, 'b', ['Horario de atención: de lunes a viernes.']);
    expect(await stats(owner.kbId, 'corliss')).toEqual({ n: 2, chunks: 3 });
    await services.db.delete(documents).where(eq(documents.id, doc.documentId));
    expect(await stats(owner.kbId, 'corliss')).toEqual({ n: null, chunks: 1 });
    await services.db.update(chunks).set({ content: 'Corliss atiende los sábados.' }).where(eq(chunks.id, other.chunkIds[0]));
    expect(await stats(owner.kbId, 'corliss')).toEqual({ n: 1, chunks: 1 });
    expect((await stats(owner.kbId, 'horari')).n).toBeNull();
  });

  it("are kept per knowledge base: another tenant's documents do not change this one's scores", async () => {
    const a = await seedOrg();
    const b = await seedOrg();
    await addDocument(a, 'a', ['La garantía cubre la lámpara Corliss durante dos años.', 'Envíos a Canarias en cinco días.']);
    const query = (owner: { orgId: string; kbId: string }) => search(owner, 'garantía Corliss', { mode: 'fulltext' });
    const before = await query(a);
    await addDocument(b, 'b', Array.from({ length: 30 }, (_, i) => `Corliss modelo ${i} sin garantía.`));
    const after = await query(a);
    expect(after.map((h) => [h.chunkId, h.fulltextScore])).toEqual(before.map((h) => [h.chunkId, h.fulltextScore]));
    expect(await stats(a.kbId, 'corliss')).toEqual({ n: 1, chunks: 2 });
    expect(await stats(b.kbId, 'corliss')).toEqual({ n: 30, chunks: 30 });
    // Deleting a whole knowledge base takes its statistics with it.
    await services.db.delete(knowledgeBases).where(eq(knowledgeBases.id, b.kbId));
    expect(await stats(b.kbId, 'corliss')).toEqual({ n: null, chunks: null });
  });
});
