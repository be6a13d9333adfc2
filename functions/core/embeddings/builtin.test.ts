import { describe, expect, it } from 'vitest';
import { BUILTIN_MODEL_ID, BUILTIN_V2_MODEL_ID, builtinEmbedFunction, createHashEmbedder, createHashEmbedderV2, hashEmbed, hashEmbedV2, normalizeTokens, stem } from './builtin';

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);

describe('createHashEmbedder', () => {
  it('returns deterministic unit vectors of the model dimension', async () => {
    const embedder = createHashEmbedder();
    expect(embedder).toMatchObject({ model: BUILTIN_MODEL_ID, dimension: 384 });
    const [a, b] = await embedder.embed(['Política de devoluciones', 'Política de devoluciones']);
    expect(a).toHaveLength(384);
    expect(a).toEqual(b);
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
  });

  it('folds accents, case and light inflection', () => {
    expect(normalizeTokens('¿Información del ENVÍO?')).toEqual(['informacion', 'del', 'envio']);
    expect(stem('facturas')).toBe(stem('factura'));
    expect(stem('informaciones')).toBe(stem('informacion'));
    expect(stem('envios')).toBe(stem('envio'));
    expect(stem('shipping')).toBe(stem('shipped'));
    expect(stem('prices')).toBe(stem('price'));
    expect(cosine(hashEmbed('información'), hashEmbed('informacion'))).toBeCloseTo(1, 10);
  });

  it('puts related texts closer than unrelated ones', () => {
    const query = hashEmbed('¿Cómo descargo mis facturas?');
    const related = hashEmbed('Puedes descargar cada factura en PDF desde la sección Facturación de tu cuenta.');
    const unrelated = hashEmbed('Nuestra tienda de Madrid abre de lunes a sábado de 10:00 a 20:00.');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);
    const en = hashEmbed('How long does shipping take?');
    expect(cosine(en, hashEmbed('Orders are shipped within 2 business days.'))).toBeGreaterThan(
      cosine(en, hashEmbed('You can change your password in the account settings.')),
    );
  });

  it('tolerates typos through character n-grams', () => {
    const typo = hashEmbed('rembolso');
    expect(cosine(typo, hashEmbed('reembolso'))).toBeGreaterThan(0.3);
    expect(cosine(typo, hashEmbed('contraseña'))).toBeLessThan(0.2);
  });

  it('gives the zero vector to text without content words', () => {
    expect(hashEmbed('').every((v) => v === 0)).toBe(true);
    expect(hashEmbed('de la y el of the').every((v) => v === 0)).toBe(true);
  });

  // Its speed is a benchmark's business (npm run bench:ingest), not a test's: a busy CI machine failed a timed assertion here.
  it('embeds a batch of typical chunks, each a distinct unit vector', () => {
    const paragraph =
      'Los pedidos realizados antes de las 14:00 se envían el mismo día laborable. Orders placed before 2 pm ship the same ' +
      'business day, and tracking numbers arrive by email. Las devoluciones son gratuitas durante 30 días. ';
    const text = paragraph.repeat(4); // ~150 words, a typical chunk
    const vectors = Array.from({ length: 50 }, (_, i) => hashEmbed(`${text} ${i}`));
    for (const vector of vectors) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(new Set(vectors.map((v) => v.join(','))).size).toBe(vectors.length);
  });

  it('supports other dimensions for experiments', async () => {
    const embedder = createHashEmbedder(64);
    expect(embedder.model).toBe('builtin-hash-64');
    expect((await embedder.embed(['hola']))[0]).toHaveLength(64);
    expect(() => createHashEmbedder(3)).toThrow();
  });
});

describe('builtin-hash-v2-768', () => {
  it('returns deterministic unit vectors of 768 dimensions under its own id', async () => {
    const embedder = createHashEmbedderV2();
    expect(embedder).toMatchObject({ model: BUILTIN_V2_MODEL_ID, dimension: 768 });
    const [a, b] = await embedder.embed(['Política de devoluciones', 'Política de devoluciones']);
    expect(a).toHaveLength(768);
    expect(a).toEqual(b);
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
  });

  it('lets a long, rare word outweigh short common ones', () => {
    // Same overlap (one query word each): the long, rarer word pulls clearly harder (the first model scores both alike).
    for (const [query, long, short] of [
      ['pago reembolsos', 'reembolsos tardan días', 'pago mensual fijo'],
      ['sol impermeabilización', 'impermeabilización terraza', 'sol verano'],
    ]) {
      const q = hashEmbedV2(query);
      expect(cosine(q, hashEmbedV2(long))).toBeGreaterThan(cosine(q, hashEmbedV2(short)) + 0.1);
    }
  });

  it('is told apart from the first model: the ids pin different vectors', () => {
    expect(hashEmbedV2('factura')).not.toEqual(hashEmbed('factura', 768));
    expect(builtinEmbedFunction(BUILTIN_V2_MODEL_ID)!('factura')).toEqual(hashEmbedV2('factura'));
    expect(builtinEmbedFunction('builtin-hash-384')!('factura')).toEqual(hashEmbed('factura'));
    expect(builtinEmbedFunction('openai:text-embedding-3-small')).toBeNull();
  });
});
