import { createGroq } from '@ai-sdk/groq';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModel } from 'ai';
import { ApiError } from '../../lib/errors';
import type { Config } from '../../lib/config';

/**
 * Chat models by id `<provider>:<model>`. OpenAI and Groq through their AI SDK providers, any
 * OpenAI-compatible server (Ollama, vLLM, LM Studio) by base URL, and `builtin:extractive`, which
 * needs nothing: it answers with passages from the knowledge base and cites them.
 */
export const BUILTIN_MODEL = 'builtin:extractive';

export type Provider = 'builtin' | 'openai' | 'groq' | 'compatible';

export interface ModelInfo {
  id: string;
  provider: Provider;
  label: string;
  available: boolean;
}

export type ResolvedModel = { id: string; kind: 'builtin' } | { id: string; kind: 'llm'; model: LanguageModel };

export interface Models {
  defaultModel: string;
  list(): ModelInfo[];
  /** Throws ApiError('bad_request') for an unknown or unconfigured model. */
  resolve(id: string): ResolvedModel;
}

const OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4.1'];
const GROQ_MODELS = ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile'];

export function createModels(config: Config): Models {
  const infos: ModelInfo[] = [
    { id: BUILTIN_MODEL, provider: 'builtin', label: 'Built-in extractive answerer (no model)', available: true },
    ...OPENAI_MODELS.map((m) => ({ id: `openai:${m}`, provider: 'openai' as const, label: `OpenAI ${m}`, available: Boolean(config.OPENAI_API_KEY) })),
    ...GROQ_MODELS.map((m) => ({ id: `groq:${m}`, provider: 'groq' as const, label: `Groq ${m}`, available: Boolean(config.GROQ_API_KEY) })),
    ...config.COMPATIBLE_MODELS.map((m) => ({
      id: `compatible:${m}`,
      provider: 'compatible' as const,
      label: `${m} (${config.COMPATIBLE_BASE_URL ? new URL(config.COMPATIBLE_BASE_URL).host : 'compatible server'})`,
      available: Boolean(config.COMPATIBLE_BASE_URL),
    })),
  ];
  const firstAvailable = infos.find((m) => m.available && m.provider !== 'builtin');

  function languageModel(provider: string, name: string): LanguageModel | null {
    if (provider === 'openai' && config.OPENAI_API_KEY) {
      // Chat Completions: the API every OpenAI-compatible server speaks too.
      return createOpenAI({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL }).chat(name);
    }
    if (provider === 'groq' && config.GROQ_API_KEY) return createGroq({ apiKey: config.GROQ_API_KEY, baseURL: config.GROQ_BASE_URL })(name);
    if (provider === 'compatible' && config.COMPATIBLE_BASE_URL) {
      return createOpenAI({ apiKey: config.COMPATIBLE_API_KEY ?? 'not-needed', baseURL: config.COMPATIBLE_BASE_URL }).chat(name);
    }
    return null;
  }

  return {
    defaultModel: firstAvailable?.id ?? BUILTIN_MODEL,
    list: () => infos,
    resolve(id) {
      if (id === BUILTIN_MODEL) return { id, kind: 'builtin' };
      const colon = id.indexOf(':');
      const provider = id.slice(0, colon);
      const name = id.slice(colon + 1);
      const model = colon > 0 && name ? languageModel(provider, name) : null;
      if (!model) {
        throw new ApiError('bad_request', `The model "${id}" is not available here: configure its provider key or pick another model`);
      }
      return { id, kind: 'llm', model };
    },
  };
}
