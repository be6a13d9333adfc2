import { embedMany } from 'ai';
import type { Embedder, EmbeddingModelInfo, Embeddings } from '../../ports';
import type { Config } from '../../lib/config';
import { ApiError } from '../../lib/errors';
import { BUILTIN_MODEL_ID, BUILTIN_V2_MODEL_ID, createHashEmbedder, createHashEmbedderV2 } from './builtin';
import { openAIEmbeddingModel } from '../models/openai-models';

export { BUILTIN_MODEL_ID, BUILTIN_V2_MODEL_ID, createHashEmbedder, createHashEmbedderV2, hashEmbed, hashEmbedV2 } from './builtin';

/**
 * Texts per embeddings request. OpenAI accepts up to 2048 inputs but also caps tokens per
 * request (300k); 96 chunks of ~400 tokens stay far below it, and a failed call retries little.
 */
export const EMBED_BATCH_SIZE = 96;
/** Requests in flight at once for one `embed` call, to stay polite with rate limits. */
const EMBED_CONCURRENCY = 4;
/** A stuck request fails the batch (and the ingestion job retries) instead of hanging the job. */
const EMBED_TIMEOUT_MS = 30_000;
/** AI SDK retries on 429/5xx with exponential back-off; beyond this the job's own retry takes over. */
const EMBED_MAX_RETRIES = 2;

interface ModelSpec {
  id: string;
  dimension: number;
  label: string;
  needsOpenAI: boolean;
}

const MODELS: ModelSpec[] = [
  { id: BUILTIN_V2_MODEL_ID, dimension: 768, label: 'Built-in v2 (offline, hashed n-grams, 768 dimensions)', needsOpenAI: false },
  { id: BUILTIN_MODEL_ID, dimension: 384, label: 'Built-in (offline, hashed n-grams, 384 dimensions)', needsOpenAI: false },
  { id: 'openai:text-embedding-3-small', dimension: 1536, label: 'OpenAI text-embedding-3-small', needsOpenAI: true },
  { id: 'openai:text-embedding-3-large', dimension: 3072, label: 'OpenAI text-embedding-3-large', needsOpenAI: true },
];

function createOpenAIEmbedder(config: Config, spec: ModelSpec): Embedder {
  const model = openAIEmbeddingModel({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL }, spec.id.slice('openai:'.length));

  async function embedBatch(values: string[]): Promise<number[][]> {
    const { embeddings } = await embedMany({
      model,
      // OpenAI refuses empty inputs; an empty chunk should still get a (meaningless) vector.
      values: values.map((v) => (v.trim() === '' ? ' ' : v)),
      maxRetries: EMBED_MAX_RETRIES,
      abortSignal: AbortSignal.timeout(EMBED_TIMEOUT_MS),
    });
    for (const embedding of embeddings) {
      // A compatible server answering with another model's size would corrupt the index.
      if (embedding.length !== spec.dimension) {
        throw new Error(`${spec.id} returned ${embedding.length} dimensions, expected ${spec.dimension}`);
      }
    }
    return embeddings;
  }

  return {
    model: spec.id,
    dimension: spec.dimension,
    async embed(texts) {
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH_SIZE) batches.push(texts.slice(i, i + EMBED_BATCH_SIZE));
      const results: number[][][] = new Array(batches.length);
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const index = next++;
          results[index] = await embedBatch(batches[index]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(EMBED_CONCURRENCY, batches.length) }, worker));
      return results.flat();
    },
  };
}

/**
 * The embedding models of this deployment: the built-in one always, OpenAI's when
 * OPENAI_API_KEY is set (OPENAI_BASE_URL points them at any server speaking OpenAI's
 * `/v1/embeddings`). Built per request from config; embedders are created on first use.
 */
export function createEmbeddings(config: Config): Embeddings {
  const hasOpenAI = Boolean(config.OPENAI_API_KEY);
  const cache = new Map<string, Embedder>();
  const available = (spec: ModelSpec) => !spec.needsOpenAI || hasOpenAI;

  return {
    defaultModel: hasOpenAI ? 'openai:text-embedding-3-small' : BUILTIN_V2_MODEL_ID,
    list(): EmbeddingModelInfo[] {
      return MODELS.map((spec) => ({ id: spec.id, dimension: spec.dimension, label: spec.label, available: available(spec) }));
    },
    get(id) {
      const spec = MODELS.find((m) => m.id === id);
      if (!spec) {
        throw new ApiError('bad_request', `Unknown embedding model "${id}"`, {
          details: { available: MODELS.filter(available).map((m) => m.id) },
        });
      }
      if (!available(spec)) {
        throw new ApiError('bad_request', `Embedding model "${id}" needs OPENAI_API_KEY, which is not configured`);
      }
      let embedder = cache.get(id);
      if (!embedder) {
        embedder = spec.needsOpenAI
          ? createOpenAIEmbedder(config, spec)
          : spec.id === BUILTIN_V2_MODEL_ID
            ? createHashEmbedderV2()
            : createHashEmbedder(spec.dimension);
        cache.set(id, embedder);
      }
      return embedder;
    },
  };
}
