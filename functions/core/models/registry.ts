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

/** An organization's own key for a provider (decrypted), which wins over the environment's. */
export interface OrgProviderKey {
  provider: 'openai' | 'groq' | 'compatible';
  apiKey: string;
  baseUrl: string | null;
  models: string[];
}

export interface Models {
  defaultModel: string;
  list(orgKeys?: OrgProviderKey[]): ModelInfo[];
  /** Throws ApiError('bad_request') for an unknown or unconfigured model. */
  resolve(id: string, orgKeys?: OrgProviderKey[]): ResolvedModel;
}

const OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4.1'];
const GROQ_MODELS = ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile'];

export function createModels(config: Config): Models {
  const envKeys: OrgProviderKey[] = [
    ...(config.OPENAI_API_KEY ? [{ provider: 'openai' as const, apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL ?? null, models: [] }] : []),
    ...(config.GROQ_API_KEY ? [{ provider: 'groq' as const, apiKey: config.GROQ_API_KEY, baseUrl: config.GROQ_BASE_URL ?? null, models: [] }] : []),
    ...(config.COMPATIBLE_BASE_URL
      ? [{ provider: 'compatible' as const, apiKey: config.COMPATIBLE_API_KEY ?? 'not-needed', baseUrl: config.COMPATIBLE_BASE_URL, models: config.COMPATIBLE_MODELS }]
      : []),
  ];

  /** The organization's key for a provider if it has one, else the deployment's. */
  function keyFor(provider: Provider, orgKeys: OrgProviderKey[] = []): OrgProviderKey | undefined {
    return orgKeys.find((k) => k.provider === provider) ?? envKeys.find((k) => k.provider === provider);
  }

  function list(orgKeys: OrgProviderKey[] = []): ModelInfo[] {
    const compatible = keyFor('compatible', orgKeys);
    return [
      { id: BUILTIN_MODEL, provider: 'builtin', label: 'Built-in extractive answerer (no model)', available: true },
      ...OPENAI_MODELS.map((m) => ({ id: `openai:${m}`, provider: 'openai' as const, label: `OpenAI ${m}`, available: Boolean(keyFor('openai', orgKeys)) })),
      ...GROQ_MODELS.map((m) => ({ id: `groq:${m}`, provider: 'groq' as const, label: `Groq ${m}`, available: Boolean(keyFor('groq', orgKeys)) })),
      ...(compatible?.models ?? []).map((m) => ({
        id: `compatible:${m}`,
        provider: 'compatible' as const,
        label: `${m} (${compatible?.baseUrl ? new URL(compatible.baseUrl).host : 'compatible server'})`,
        available: Boolean(compatible?.baseUrl),
      })),
    ];
  }

  function languageModel(provider: string, name: string, orgKeys?: OrgProviderKey[]): LanguageModel | null {
    const key = keyFor(provider as Provider, orgKeys);
    if (!key) return null;
    // Chat Completions: the API every OpenAI-compatible server speaks too.
    if (provider === 'openai') return createOpenAI({ apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined }).chat(name);
    if (provider === 'groq') return createGroq({ apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined })(name);
    if (provider === 'compatible' && key.baseUrl) return createOpenAI({ apiKey: key.apiKey, baseURL: key.baseUrl }).chat(name);
    return null;
  }

  return {
    defaultModel: list().find((m) => m.available && m.provider !== 'builtin')?.id ?? BUILTIN_MODEL,
    list,
    resolve(id, orgKeys) {
      if (id === BUILTIN_MODEL) return { id, kind: 'builtin' };
      const colon = id.indexOf(':');
      const provider = id.slice(0, colon);
      const name = id.slice(colon + 1);
      const model = colon > 0 && name ? languageModel(provider, name, orgKeys) : null;
      if (!model) {
        throw new ApiError('bad_request', `The model "${id}" is not available here: configure its provider key or pick another model`);
      }
      return { id, kind: 'llm', model };
    },
  };
}
