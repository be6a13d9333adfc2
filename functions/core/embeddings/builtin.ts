import type { Embedder } from '../../ports';

/**
 * The built-in embedder: feature hashing of normalized text, so the whole pipeline runs offline
 * with nothing to download. It captures lexical similarity (shared stems, phrases, spelling
 * variants through character n-grams), not synonyms: "refund" does not find "money back". With
 * the full-text side of hybrid retrieval that is a solid default; an OpenAI model adds meaning.
 *
 * Features of each text:
 * - word unigrams of content words (stop words of Spanish and English dropped), lightly stemmed,
 *   so "facturas" = "factura" and "shipping" = "shipped";
 * - word bigrams of consecutive content words ("horario atencion"), which rewards phrases;
 * - character 3- and 4-grams of each word with boundary marks, which tolerate typos,
 *   inflections the stemmer misses and compounds ("reembolso" ~ "reembolsos" ~ "rembolso").
 * Each feature is hashed (FNV-1a + murmur3 finalizer) to one of `dimension` slots with a sign
 * from another hash bit (signed hashing keeps collisions unbiased), weighted by 1 + ln(tf)
 * (sublinear, so one repeated word cannot dominate) and by its kind; the vector is L2-normalized,
 * so cosine similarity is a dot product. Deterministic: the same text always gives the same
 * vector, across runtimes and versions of this file that keep MODEL_ID.
 */
export const BUILTIN_MODEL_ID = 'builtin-hash-384';

/**
 * The second built-in model, the default for new knowledge bases: the same features in 768
 * dimensions (half the collisions that put unrelated chunks near 0.3 cosine), bigrams at half
 * weight (questions rarely keep the document's word order) and a corpus-free rarity weight by
 * word length (Zipf: long words are rare, so "Corliss" outweighs "dieron" without an IDF table,
 * which a stateless embedder cannot have). Measured on bench:retrieval's public sets, vector
 * recall@5 went from 0.925 to 0.953 (es) and 0.887 to 0.922 (en).
 */
export const BUILTIN_V2_MODEL_ID = 'builtin-hash-v2-768';

const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.6;
/** Spread over a word's n-grams (divided by sqrt(count)) so long words do not outweigh short ones. */
const CHARGRAM_WEIGHT = 0.9;

// Kinds are mixed into the hash seed so "ab" the word and "ab" the n-gram land apart.
const SEED_UNIGRAM = 0x9e3779b1;
const SEED_BIGRAM = 0x85ebca77;
const SEED_CHARGRAM = 0xc2b2ae3d;

const STOP_WORDS = new Set(
  (
    // Spanish (accents already stripped)
    'a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bajo bien cada como con contra cual cuales ' +
    'cuando de del desde donde dos el ella ellas ello ellos en entre era eran es esa esas ese eso esos esta estan estar ' +
    'estas este esto estos fue fueron ha han hasta hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros ' +
    'o os otra otro para pero poco por porque puede pueden que quien se sea ser si sido sin sobre son su sus tambien te ' +
    'tiene tienen todo todos tu tus un una unas uno unos usted ustedes vos y ya yo ' +
    // English
    'about after all also am an and any are as at be been being but by can could did do does doing for from had has have ' +
    'he her here hers him his how i if in into is it its just me more most my no not of off on once only or other our ' +
    'out over own same she should so some such than that the their them then there these they this those through to too ' +
    'under until up very was we were what when where which while who whom why will with would you your yours'
  ).split(' '),
);

/** True for Spanish and English function words (give the token lowercased, accents stripped). */
export function isStopWord(token: string): boolean {
  return STOP_WORDS.has(token);
}

/** Lowercase, strip accents (NFD + drop combining marks) and split on anything but letters/digits. */
export function normalizeTokens(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * Light Spanish/English suffix stripping. Not a full Snowball stemmer: it only folds the
 * inflections that split one concept across documents (plurals, -cion/-ciones, -ing/-ed, -mente),
 * and leaves stems of at least 4 letters so distinct short words do not collide.
 */
export function stem(word: string): string {
  if (word.length <= 4 || /^\d/.test(word)) return word;
  const rules: Array<[suffix: string, replacement: string]> = [
    ['aciones', 'a'], ['acion', 'a'], ['iciones', 'i'], ['icion', 'i'], ['uciones', 'u'], ['ucion', 'u'],
    ['ciones', 'c'], ['cion', 'c'], ['siones', 's'], ['sion', 's'],
    ['amente', ''], ['mente', ''], ['idades', 'i'], ['idad', 'i'],
    ['ations', 'at'], ['ation', 'at'], ['ingly', ''], ['ings', ''], ['ing', ''], ['edly', ''], ['ied', 'y'], ['ies', 'y'],
    ['ed', ''], ['ly', ''],
    ['eses', 'es'], ['ares', 'ar'], ['eres', 'er'], ['ores', 'or'], ['ales', 'al'], ['les', 'l'],
    ['nes', 'n'], ['res', 'r'], ['os', 'o'], ['as', 'a'], ['es', 'e'], ['s', ''],
  ];
  for (const [suffix, replacement] of rules) {
    if (word.endsWith(suffix) && word.length - suffix.length + replacement.length >= 4) {
      const base = word.slice(0, word.length - suffix.length) + replacement;
      // Drop a final vowel so "factura"/"facturas"/"facturar" meet at "factur".
      return base.length > 4 && /[aeo]$/.test(base) ? base.slice(0, -1) : base;
    }
  }
  return word.length > 4 && /[aeo]$/.test(word) ? word.slice(0, -1) : word;
}

/** FNV-1a over a string range, then murmur3's finalizer so every bit depends on every input bit. */
function hash(seed: number, text: string, start = 0, end = text.length): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function increment(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Sublinear term frequency: the tenth repetition of a word adds far less than the second. */
const tfWeight = (tf: number) => 1 + Math.log(tf);

/** What tells the built-in models apart; a model id pins one of these forever. */
interface HashSpec {
  dimension: number;
  bigramWeight: number;
  /** Weight words by length as a stand-in for rarity (v2). */
  lengthWeighting: boolean;
}

const V1_SPEC = (dimension: number): HashSpec => ({ dimension, bigramWeight: BIGRAM_WEIGHT, lengthWeighting: false });
const V2_SPEC: HashSpec = { dimension: 768, bigramWeight: 0.3, lengthWeighting: true };

/** 0.75 for a 2-letter word, 1 at 4 letters, capped at 1.5 from 8 letters on. */
const lengthWeight = (word: string) => Math.min(1.5, 0.5 + word.length / 8);

/** Embeds one text with the first built-in model (or a same-features variant of another size). */
export function hashEmbed(text: string, dimension = 384): number[] {
  return embedWith(text, V1_SPEC(dimension));
}

/** Embeds one text with `builtin-hash-v2-768`. */
export function hashEmbedV2(text: string): number[] {
  return embedWith(text, V2_SPEC);
}

function embedWith(text: string, spec: HashSpec): number[] {
  const { dimension } = spec;
  const rarity = spec.lengthWeighting ? lengthWeight : () => 1;
  const words = new Map<string, number>();
  const stems = new Map<string, number>();
  const pairs = new Map<string, number>();
  let previous: string | null = null;
  for (const token of normalizeTokens(text)) {
    // Stop words and lone letters carry no topic; bigrams then join the content words around them.
    if (STOP_WORDS.has(token) || (token.length === 1 && !/\d/.test(token))) continue;
    const stemmed = stem(token);
    increment(words, token);
    increment(stems, stemmed);
    if (previous !== null) increment(pairs, `${previous} ${stemmed}`);
    previous = stemmed;
  }

  const vector = new Float64Array(dimension);
  const add = (h: number, amount: number) => {
    // Bit 31 is independent of the slot for any dimension below 2^31.
    vector[h % dimension] += h & 0x80000000 ? -amount : amount;
  };
  for (const [s, tf] of stems) add(hash(SEED_UNIGRAM, s), UNIGRAM_WEIGHT * tfWeight(tf) * rarity(s));
  for (const [p, tf] of pairs) add(hash(SEED_BIGRAM, p), spec.bigramWeight * tfWeight(tf));
  for (const [word, tf] of words) {
    // n-grams of the unstemmed word with boundary marks: "^fac", "ura$".
    const marked = `^${word}$`;
    const grams = Math.max(0, marked.length - 2) + Math.max(0, marked.length - 3);
    const amount = (CHARGRAM_WEIGHT * tfWeight(tf) * rarity(word)) / Math.sqrt(grams);
    for (let n = 3; n <= 4; n++) {
      for (let i = 0; i + n <= marked.length; i++) add(hash(SEED_CHARGRAM, marked, i, i + n), amount);
    }
  }

  let norm = 0;
  for (let i = 0; i < dimension; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm);
  const out = new Array<number>(dimension);
  // An empty or stop-word-only text stays the zero vector; the vector store ranks it nowhere.
  for (let i = 0; i < dimension; i++) out[i] = norm > 0 ? vector[i] / norm : 0;
  return out;
}

/**
 * The function behind a built-in model id, or null for any other model: lets the local runtime's
 * worker threads compute exactly what the model's embedder would.
 */
export function builtinEmbedFunction(model: string): ((text: string) => number[]) | null {
  if (model === BUILTIN_V2_MODEL_ID) return hashEmbedV2;
  const v1 = /^builtin-hash-(\d+)$/.exec(model);
  return v1 ? (text) => hashEmbed(text, Number(v1[1])) : null;
}

/** The second offline embedder (see BUILTIN_V2_MODEL_ID). */
export function createHashEmbedderV2(): Embedder {
  return {
    model: BUILTIN_V2_MODEL_ID,
    dimension: V2_SPEC.dimension,
    async embed(texts) {
      return texts.map(hashEmbedV2);
    },
  };
}

/** The first offline embedder. `dimension` other than 384 is for experiments; its model id says so. */
export function createHashEmbedder(dimension = 384): Embedder {
  if (!Number.isInteger(dimension) || dimension < 8) throw new Error('dimension must be an integer >= 8');
  return {
    model: dimension === 384 ? BUILTIN_MODEL_ID : `builtin-hash-${dimension}`,
    dimension,
    async embed(texts) {
      return texts.map((text) => hashEmbed(text, dimension));
    },
  };
}
