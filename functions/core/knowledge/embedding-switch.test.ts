import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, type TestUser } from '../../testing/harness';
import { searchKnowledgeBase, settledDocument, setupKnowledgeBase } from '../../testing/knowledge';
import { namespaceFor } from '../retrieval/namespace';
import { resumeEmbeddingSwitches } from './embedding-switch';
import { reembedKnowledgeBase } from './reembed-job';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const OLD = 'builtin-hash-v2-768';
const NEW = 'builtin-hash-384';

// One chunk per pair, so the document spans several batches of the switch.
const pairs = [
  ['¿Devoluciones?', 'Las devoluciones son gratuitas durante 30 días desde la entrega del pedido.'],
  ['¿Horario?', 'El horario de atención es de lunes a viernes de 9:00 a 18:00.'],
  ['¿Envíos a Canarias?', 'Los envíos a Canarias tardan entre 5 y 7 días laborables.'],
  ['¿Facturas?', 'Puedes descargar tus facturas en PDF desde la sección Facturación.'],
  ['¿Garantía?', 'La garantía de los productos electrónicos es de tres años.'],
  ['¿Contraseña?', 'Para cambiar la contraseña entra en Ajustes y luego en Seguridad.'],
].map(([question, answer]) => ({ question, answer }));

async function knowledgeBaseWithDocument() {
  const { user, kbId, base } = await setupKnowledgeBase(api);
  const doc = await api.call('POST', `${base}/documents`, {
    token: user.token,
    body: { type: 'qa', name: 'Ayuda', pairs },
  });
  expect(doc.status, doc.text).toBe(202);
  const settled = await settledDocument(api, user, base, doc.body.id);
  expect(settled.status).toBe('ready');
  return { user, kbId, base };
}

async function vectorCount(namespace: string) {
  const { rows } = await api.runtime.database.pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM local_vectors WHERE namespace = $1', [namespace]);
  return rows[0].n;
}

const vectorSearch = (user: TestUser, base: string, query: string) => searchKnowledgeBase(api, user, base, query, { mode: 'vector' });

/** Runs the switch's job by hand, a few small batches at a time, as a slow worker would. */
const partialRun = (kbId: string, done: number) =>
  reembedKnowledgeBase(api.runtime.services, { knowledgeBaseId: kbId, model: NEW, done }, { batchesPerRun: 1, batchSize: 1 });

describe('switching a knowledge base to another embedding model', () => {
  it('new knowledge bases use the second built-in model', async () => {
    const { user, base } = await setupKnowledgeBase(api);
    const kb = await api.call('GET', base, { token: user.token });
    expect(kb.body).toMatchObject({ embeddingModel: OLD, embeddingDimension: 768, embeddingSwitch: null });
  });

  it('re-embeds in the background, showing progress, while search keeps the old vectors; a crash resumes', async () => {
    const { user, kbId, base } = await knowledgeBaseWithDocument();
    const chunkCount = (await api.call('GET', base, { token: user.token })).body.chunkCount as number;
    expect(chunkCount).toBe(pairs.length);

    // The switch is queued, not run: the answer still shows the current model and the progress.
    const changed = await api.call('PUT', base, { token: user.token, body: { embeddingModel: NEW } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ embeddingModel: OLD, embeddingSwitch: { model: NEW, done: 0, total: chunkCount } });

    // One batch of one chunk, then the process "dies" (the continuation it queued is dropped by
    // never draining it here; the sweep queues the switch again below).
    const first = await partialRun(kbId, 0);
    expect(first).toMatchObject({ embedded: 1, continued: true });
    const during = await api.call('GET', base, { token: user.token });
    expect(during.body).toMatchObject({ embeddingModel: OLD, embeddingSwitch: { model: NEW, done: 1, total: chunkCount } });
    expect(await vectorCount(namespaceFor(kbId, 1))).toBe(1);

    // Search during the switch: still the old model over the complete old namespace.
    const hits = await vectorSearch(user, base, 'horario de atención lunes');
    expect(hits[0]?.content, JSON.stringify(hits)).toContain('horario');

    // Resume after the crash: the sweep queues the unfinished switch; running it finishes it.
    expect(await resumeEmbeddingSwitches(api.runtime.services)).toBeGreaterThanOrEqual(1);
    await api.runtime.queue.drain({ timeoutMs: 60_000 });
    const after = await api.call('GET', base, { token: user.token });
    expect(after.body).toMatchObject({ embeddingModel: NEW, embeddingDimension: 384, embeddingSwitch: null });
    expect(await vectorCount(namespaceFor(kbId, 1))).toBe(chunkCount);
    expect(await vectorCount(namespaceFor(kbId, 0)), 'the old namespace is dropped').toBe(0);
    const again = await vectorSearch(user, base, 'horario de atención lunes');
    expect(again[0]?.content).toContain('horario');
  });

  it('a document added during the switch is searchable with the new model afterwards', async () => {
    const { user, kbId, base } = await knowledgeBaseWithDocument();
    await api.call('PUT', base, { token: user.token, body: { embeddingModel: NEW } });
    await partialRun(kbId, 0);
    const added = await api.call('POST', `${base}/documents`, {
      token: user.token,
      body: { type: 'text', name: 'Tiendas', text: 'Nuestra tienda de Zaragoza abre los domingos por la mañana.' },
    });
    expect((await settledDocument(api, user, base, added.body.id)).status).toBe('ready');
    const kb = (await api.call('GET', base, { token: user.token })).body;
    expect(kb.embeddingModel).toBe(NEW);
    const hits = await vectorSearch(user, base, 'tienda Zaragoza domingos');
    expect(hits[0]?.content, JSON.stringify(hits)).toContain('Zaragoza');
    expect(await vectorCount(namespaceFor(kbId, 1))).toBe(kb.chunkCount);
  });

  it('choosing the current model again cancels the switch and drops its vectors', async () => {
    const { user, kbId, base } = await knowledgeBaseWithDocument();
    await api.call('PUT', base, { token: user.token, body: { embeddingModel: NEW } });
    await partialRun(kbId, 0);
    const back = await api.call('PUT', base, { token: user.token, body: { embeddingModel: OLD } });
    expect(back.body).toMatchObject({ embeddingModel: OLD, embeddingSwitch: null });
    expect(await vectorCount(namespaceFor(kbId, 1))).toBe(0);
    // The queued continuation finds no such switch and leaves everything as it is.
    await api.runtime.queue.drain({ timeoutMs: 60_000 });
    expect((await api.call('GET', base, { token: user.token })).body).toMatchObject({ embeddingModel: OLD, embeddingSwitch: null });
    expect(await vectorCount(namespaceFor(kbId, 0))).toBeGreaterThan(0);
  });

  it('another organization can neither see nor switch the knowledge base', async () => {
    const { user, base } = await knowledgeBaseWithDocument();
    const stranger = await api.signUp();
    await api.createOrg(stranger, 'Other');
    const res = await api.call('PUT', base, { token: stranger.token, body: { embeddingModel: NEW } });
    expect(res.status).toBe(404);
    expect((await api.call('GET', base, { token: stranger.token })).status).toBe(404);
    expect((await api.call('GET', base, { token: user.token })).body).toMatchObject({ embeddingModel: OLD, embeddingSwitch: null });
  });
});
