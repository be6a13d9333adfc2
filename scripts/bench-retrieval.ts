/**
 * `npm run bench:retrieval`: retrieval quality and latency on the local runtime (in-memory PGlite
 * with pgvector, built-in embeddings).
 *
 * 1. Quality: recall@5 and MRR@10 of hybrid, vector-only and full-text-only search on the
 *    labeled help-center set in scripts/fixtures/retrieval-eval.json.
 * 2. Latency: p50/p95 of `searchKnowledge` (hybrid, topK 5) over ~200 queries on a knowledge base
 *    of 10k, then 100k synthetic support-article chunks, loaded in bulk (chunks with drizzle
 *    batch inserts, vectors with the HNSW index dropped and rebuilt afterwards, then ANALYZE).
 *
 * Options: BENCH_SIZES=10000,100000 (chunk counts), BENCH_QUERIES=200.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { PgDialect } from 'drizzle-orm/pg-core';
import { chunks, documents, knowledgeBases, organizations } from '../db/schema';
import { startLocalRuntime } from '../functions/local-runtime';
import { VECTOR_INDEX_SQL } from '../functions/adapters/local/database';
import { createEmbeddings, hashEmbed } from '../functions/core/embeddings';
import { namespaceFor, vectorId } from '../functions/core/retrieval/namespace';
import { candidateCount, fulltextPlan, fulltextStatement, searchKnowledge, type SearchInput, type SearchServices } from '../functions/core/retrieval/search';

const MODEL = 'builtin-hash-384';
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const TARGET_P95: Record<number, number> = { 10000: 30, 100000: 100 };

interface EvalSet {
  documents: Array<{ id: string; title: string; chunks: Array<{ id: string; text: string }> }>;
  questions: Array<{ id: string; language: string; question: string; answer: string }>;
}

const log = (line: string) => console.log(line);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** mulberry32: a seeded generator, so every run builds the same corpus and queries. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, pick, int };
}

// ---- synthetic support articles ---------------------------------------------------------

const SERIES = ['Aura', 'Nova', 'Lira', 'Terra', 'Orbe', 'Vela', 'Luma', 'Dune', 'Kiro', 'Sole', 'Brisa', 'Alba', 'Cala', 'Delta', 'Eco', 'Faro', 'Gala', 'Halo', 'Iris', 'Jade', 'Koa', 'Loto', 'Mar', 'Nube', 'Olmo', 'Pino', 'Quasar', 'Roca', 'Sena', 'Tilo'];
const TYPES_ES = ['lámpara de pie', 'aplique de pared', 'plafón', 'flexo', 'bombilla inteligente', 'tira LED', 'foco empotrable', 'lámpara colgante', 'lámpara de mesa', 'ventilador de techo'];
const TYPES_EN = ['floor lamp', 'wall light', 'ceiling light', 'desk lamp', 'smart bulb', 'LED strip', 'recessed spotlight', 'pendant lamp', 'table lamp', 'ceiling fan'];
const CITIES = ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Zaragoza', 'Málaga', 'Bilbao', 'Alicante', 'Córdoba', 'Valladolid', 'Vigo', 'Gijón', 'Granada', 'Murcia', 'Palma', 'Las Palmas', 'Tenerife', 'Pamplona', 'Santander', 'Salamanca', 'Lisboa', 'Oporto', 'París', 'Lyon', 'Burdeos', 'Milán', 'Roma', 'Berlín', 'Múnich', 'Bruselas', 'Ámsterdam', 'Toulouse', 'Marsella', 'Niza', 'Cádiz', 'Almería', 'Huelva', 'Girona', 'Lleida', 'Tarragona'];
const CARRIERS = ['SEUR', 'Correos Express', 'MRW', 'DHL', 'GLS', 'UPS', 'Nacex', 'Zeleris'];
const FEATURES_ES = ['sincronización', 'escenas', 'temporizador', 'modo ausente', 'control por voz', 'horarios', 'grupos de luces', 'sensor de movimiento', 'modo noche', 'actualización de firmware'];
const FEATURES_EN = ['sync', 'scenes', 'timer', 'away mode', 'voice control', 'schedules', 'light groups', 'motion sensor', 'night mode', 'firmware update'];
const COLORS = ['negro mate', 'blanco', 'latón', 'cobre', 'roble', 'gris grafito', 'verde salvia', 'terracota'];
const STAFF = ['Lucía', 'Marcos', 'Irene', 'Javier', 'Sara', 'Pablo', 'Nerea', 'Hugo', 'Elena', 'Diego'];

type Slots = ReturnType<typeof makeSlots>;
function makeSlots(r: ReturnType<typeof rng>) {
  const t = r.int(0, TYPES_ES.length - 1);
  const series = `${r.pick(SERIES)} ${r.int(1, 60) * 10}`;
  const f = r.int(0, FEATURES_ES.length - 1);
  return {
    productEs: `${TYPES_ES[t]} ${series}`,
    productEn: `${series} ${TYPES_EN[t]}`,
    series,
    city: r.pick(CITIES),
    carrier: r.pick(CARRIERS),
    featureEs: FEATURES_ES[f],
    featureEn: FEATURES_EN[f],
    code: `E-${r.int(100, 4999)}`,
    color: r.pick(COLORS),
    staff: r.pick(STAFF),
    days: r.int(2, 9),
    price: `${r.int(9, 499)},${r.pick(['00', '50', '90', '95'])} €`,
    watts: r.pick([4, 6, 9, 12, 18, 24, 36]),
    years: r.int(2, 5),
    percent: r.pick([5, 10, 15, 20, 25, 30]),
  };
}

const SENTENCES_ES: Array<(s: Slots) => string> = [
  (s) => `El ${s.productEs} se envía a ${s.city} con ${s.carrier} en un plazo de ${s.days} días laborables.`,
  (s) => `Si la app muestra el error ${s.code} al usar ${s.featureEs}, reinicia el dispositivo y vuelve a emparejarlo.`,
  (s) => `El ${s.productEs} consume ${s.watts} W y está disponible en acabado ${s.color}.`,
  (s) => `La garantía del ${s.productEs} es de ${s.years} años desde la fecha de compra.`,
  (s) => `Para montar el ${s.productEs} necesitas un destornillador de estrella y unos 20 minutos.`,
  (s) => `Durante la campaña de primavera el ${s.productEs} tiene un ${s.percent}% de descuento en la tienda de ${s.city}.`,
  (s) => `${s.staff}, del equipo de soporte, recomienda limpiar la pantalla con un paño seco y sin productos químicos.`,
  (s) => `Los pedidos a ${s.city} que incluyen el ${s.productEs} pueden recogerse en el punto ${s.carrier} más cercano.`,
  (s) => `La función ${s.featureEs} requiere la versión más reciente de la app Lumen Home y conexión Wi-Fi de 2,4 GHz.`,
  (s) => `El precio del ${s.productEs} es de ${s.price}, con envío gratuito a partir de 49 €.`,
  (s) => `Si el ${s.productEs} parpadea, comprueba que el regulador de pared sea compatible con LED.`,
  (s) => `Las devoluciones del ${s.productEs} se gestionan desde Mi cuenta y ${s.carrier} recoge el paquete en tu domicilio.`,
];
const SENTENCES_EN: Array<(s: Slots) => string> = [
  (s) => `The ${s.productEn} ships to ${s.city} with ${s.carrier} within ${s.days} business days.`,
  (s) => `If the app shows error ${s.code} while using ${s.featureEn}, restart the device and pair it again.`,
  (s) => `The ${s.productEn} draws ${s.watts} W and comes in a ${s.color} finish.`,
  (s) => `The ${s.productEn} is covered by a ${s.years}-year warranty from the date of purchase.`,
  (s) => `Assembling the ${s.productEn} takes about 20 minutes and a Phillips screwdriver.`,
  (s) => `${s.staff} from the support team suggests updating the firmware before enabling ${s.featureEn}.`,
  (s) => `The ${s.productEn} costs ${s.price} and standard shipping is free over €49.`,
  (s) => `Returns of the ${s.productEn} can be booked from your account; ${s.carrier} collects the parcel at home.`,
  (s) => `Customers in ${s.city} can pick up the ${s.productEn} at their nearest ${s.carrier} point.`,
  (s) => `${s.featureEn} needs the latest Lumen Home app and a 2.4 GHz Wi-Fi network.`,
];

function syntheticChunk(r: ReturnType<typeof rng>): string {
  const spanish = r.next() < 0.65;
  const pool = spanish ? SENTENCES_ES : SENTENCES_EN;
  const sentences: string[] = [];
  const count = r.int(3, 6);
  let slots = makeSlots(r);
  for (let i = 0; i < count; i++) {
    if (r.next() < 0.3) slots = makeSlots(r);
    sentences.push(r.pick(pool)(slots));
  }
  return sentences.join(' ');
}

const QUERY_TEMPLATES: Array<(s: Slots) => string> = [
  (s) => `¿Cuánto tarda el envío del ${s.productEs} a ${s.city}?`,
  (s) => `error ${s.code} ${s.featureEs}`,
  (s) => `garantía ${s.productEs}`,
  (s) => `¿Qué precio tiene el ${s.productEs}?`,
  (s) => `How do I fix error ${s.code}?`,
  (s) => `Does the ${s.productEn} come in ${s.color}?`,
  (s) => `How long does shipping to ${s.city} take with ${s.carrier}?`,
  (s) => `${s.featureEn} not working`,
  (s) => `devolver ${s.productEs}`,
  (s) => `¿Cuántos vatios consume el ${s.productEs}?`,
];

// ---- helpers ---------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const runtime = await startLocalRuntime({ dataDir: null });
  const { db, pglite } = runtime.database;
  const services: SearchServices = {
    db,
    vectors: runtime.services.vectors,
    embeddings: runtime.services.embeddings ?? createEmbeddings(runtime.config),
  };
  log(`local runtime (in-memory PGlite + pgvector) ready in ${ms(performance.now() - started)}`);

  const [org] = await db.insert(organizations).values({ name: 'Bench', slug: `bench-${randomUUID()}` }).returning();
  const newKb = async (name: string) =>
    (await db.insert(knowledgeBases).values({ organizationId: org.id, name, embeddingModel: MODEL }).returning())[0];

  // ---- quality on the labeled set ----
  const evalSet = JSON.parse(readFileSync(new URL('./fixtures/retrieval-eval.json', import.meta.url), 'utf8')) as EvalSet;
  const evalKb = await newKb('eval');
  const chunkIdByLabel = new Map<string, string>();
  for (const doc of evalSet.documents) {
    const [row] = await db
      .insert(documents)
      .values({ organizationId: org.id, knowledgeBaseId: evalKb.id, name: doc.title, source: 'text', status: 'ready' })
      .returning();
    const inserted = await db
      .insert(chunks)
      .values(doc.chunks.map((c, position) => ({ organizationId: org.id, knowledgeBaseId: evalKb.id, documentId: row.id, position, content: c.text })))
      .returning({ id: chunks.id, position: chunks.position });
    for (const c of inserted) chunkIdByLabel.set(doc.chunks[c.position].id, c.id);
    const vectors = await services.embeddings.get(MODEL).embed(doc.chunks.map((c) => c.text));
    await services.vectors.upsert(namespaceFor(evalKb.id), vectors.map((values, position) => ({ id: vectorId(row.id, position), values })));
  }
  log('');
  log(`quality: ${evalSet.questions.length} labeled questions over ${chunkIdByLabel.size} chunks in ${evalSet.documents.length} documents (scripts/fixtures/retrieval-eval.json)`);
  const misses: string[] = [];
  for (const mode of ['hybrid', 'vector', 'fulltext'] as const) {
    let found = 0;
    let reciprocal = 0;
    for (const q of evalSet.questions) {
      const hits = await searchKnowledge(services, {
        organizationId: org.id,
        knowledgeBases: [{ id: evalKb.id, embeddingModel: MODEL }],
        query: q.question,
        topK: 10,
        mode,
      });
      const rank = hits.findIndex((h) => h.chunkId === chunkIdByLabel.get(q.answer)) + 1;
      if (rank > 0 && rank <= 5) found++;
      if (rank > 0) reciprocal += 1 / rank;
      if (mode === 'hybrid' && (rank === 0 || rank > 5)) misses.push(`    ${q.id} (${rank || '>10'}) ${q.question}`);
    }
    const n = evalSet.questions.length;
    log(`  ${mode.padEnd(8)}  recall@5 ${(found / n).toFixed(3)}  MRR@10 ${(reciprocal / n).toFixed(3)}`);
  }
  if (misses.length) log(`  hybrid misses (rank):\n${misses.join('\n')}`);

  // ---- latency at scale ----
  const kb = await newKb('synthetic');
  const r = rng(42);
  let loaded = 0;
  const CHUNKS_PER_DOC = 20;
  for (const size of SIZES) {
    log('');
    const loadStart = performance.now();
    // Bulk load: building the HNSW graph once is several times faster than growing it row by row.
    await pglite.exec('DROP INDEX IF EXISTS local_vectors_hnsw_384');
    let embedMs = 0;
    const before = loaded;
    while (loaded < size) {
      const docCount = Math.min(50, Math.ceil((size - loaded) / CHUNKS_PER_DOC));
      const docs = await db
        .insert(documents)
        .values(Array.from({ length: docCount }, (_, i) => ({ organizationId: org.id, knowledgeBaseId: kb.id, name: `Artículo ${loaded / CHUNKS_PER_DOC + i + 1}`, source: 'text' as const, status: 'ready' as const })))
        .returning({ id: documents.id });
      const rows = docs.flatMap((d) =>
        Array.from({ length: CHUNKS_PER_DOC }, (_, position) => ({ organizationId: org.id, knowledgeBaseId: kb.id, documentId: d.id, position, content: syntheticChunk(r) })),
      ).slice(0, size - loaded);
      await db.insert(chunks).values(rows);
      const t = performance.now();
      const vectors = rows.map((row) => hashEmbed(row.content));
      embedMs += performance.now() - t;
      await services.vectors.upsert(namespaceFor(kb.id), vectors.map((values, i) => ({ id: vectorId(rows[i].documentId, rows[i].position), values })));
      loaded += rows.length;
    }
    const indexStart = performance.now();
    await pglite.exec(`SET maintenance_work_mem = '1GB'; ${VECTOR_INDEX_SQL} RESET maintenance_work_mem; ANALYZE;`);
    const indexMs = performance.now() - indexStart;
    log(`${size.toLocaleString('en')} chunks: loaded in ${(((performance.now() - loadStart) / 1000)).toFixed(1)} s (builtin embeddings ${Math.round(((size - before) / embedMs) * 1000)} chunks/s, HNSW build ${(indexMs / 1000).toFixed(1)} s)`);

    const qr = rng(7);
    const queries = Array.from({ length: QUERIES }, () => qr.pick(QUERY_TEMPLATES)(makeSlots(qr)));
    const input = (query: string, mode: SearchInput['mode']): SearchInput => ({
      organizationId: org.id,
      knowledgeBases: [{ id: kb.id, embeddingModel: MODEL }],
      query,
      topK: 5,
      mode,
    });
    if (process.env.BENCH_EXPLAIN) {
      // Investigation aid: the full-text side's plan and timing for a few queries.
      for (const q of queries.slice(0, Number(process.env.BENCH_EXPLAIN) || 3)) {
        const plan = await fulltextPlan(db, input(q, 'fulltext'));
        if (!plan) continue;
        log(`  EXPLAIN ${q}\n    match: ${plan.match}`);
        const { sql: text, params } = new PgDialect().sqlToQuery(fulltextStatement(input(q, 'fulltext'), candidateCount(5))!);
        const explained = await pglite.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${text}`, params as unknown[]);
        log(explained.rows.map((p) => `      ${p['QUERY PLAN'].slice(0, 160)}`).join('\n'));
      }
    }
    for (const mode of ['hybrid', 'vector', 'fulltext'] as const) {
      for (const q of queries.slice(0, 10)) await searchKnowledge(services, input(q, mode)); // warm-up
      const times: number[] = [];
      let empty = 0;
      for (const q of queries) {
        const t = performance.now();
        const hits = await searchKnowledge(services, input(q, mode));
        times.push(performance.now() - t);
        if (hits.length === 0 && empty++ < 3 && process.env.BENCH_EXPLAIN) {
          log(`    empty ${mode}: ${q} -> ${(await fulltextPlan(db, input(q, mode)))?.match}`);
        }
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      const target = mode === 'hybrid' && TARGET_P95[size] ? `  target p95 < ${TARGET_P95[size]} ms: ${p95 < TARGET_P95[size] ? 'met' : 'MISSED'}` : '';
      log(`  ${mode.padEnd(8)} ${queries.length} queries  p50 ${ms(percentile(times, 50))}  p95 ${ms(p95)}  max ${ms(times.at(-1)!)}${empty ? `  (${empty} empty)` : ''}${target}`);
    }
  }
  const { rows: [{ n }] } = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM local_vectors');
  log('');
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s (${n.toLocaleString('en')} vectors)`);
  await runtime.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
