import { createGroq } from '@ai-sdk/groq';
import type { LanguageModel } from 'ai';
import { ApiError } from '../../lib/errors';
import type { Config } from '../../lib/config';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import type { OutboundHttp } from '../../ports';
import { PROVIDER_PRESETS, presetOf, type PresetId } from './presets';
import { openAIChatModel } from './openai-models';

/**
 * Chat models by id `<provider>:<model>`. OpenAI and Groq through their AI SDK providers, any
 * OpenAI-compatible server (Ollama, vLLM, LM Studio) by base URL, and `builtin:extractive`, which
 * needs nothing: it answers with passages from the knowledge base and cites them.
 */
export const BUILTIN_MODEL = 'builtin:extractive';

export type Provider = 'builtin' | 'openai' | 'groq' | 'compatible' | PresetId;

export interface ModelInfo {
  id: string;
  provider: Provider;
  label: string;
  available: boolean;
}

export type ResolvedModel = { id: string; kind: 'builtin' } | { id: string; kind: 'llm'; model: LanguageModel };

/** An organization's own key for a provider (decrypted), which wins over the environment's. */
export interface OrgProviderKey {
  provider: Exclude<Provider, 'builtin'>;
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

/** A chat answer (streamed) never needs more than this; past it the stream errors. */
const MAX_PROVIDER_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * `fetch` for an AI SDK provider whose base URL an organization chose: every call goes through the
 * outbound port (URL and resolved addresses checked, no redirects followed, size bounded). The
 * SDK passes its own abort signal (MODEL_TIMEOUT_MS), which the port honours.
 */
export function providerFetch(outbound: Pick<OutboundHttp, 'fetch'>, timeoutMs: number): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return outbound.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body,
      signal: request.signal,
      timeoutMs,
      maxBytes: MAX_PROVIDER_RESPONSE_BYTES,
    });
  };
}

/** The one HTTP status an AI SDK error carries (`APICallError.statusCode`), if any. */
function statusOf(error: Error): number | undefined {
  const status = (error as Error & { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

const STATUS_CLASSES: Array<[(status: number) => boolean, string]> = [
  [(s) => s === 401 || s === 403, 'invalid key or no access'],
  [(s) => s === 404, 'model or endpoint not found'],
  [(s) => s === 429, 'rate limited or out of quota'],
  [(s) => s >= 400 && s < 500, 'request rejected'],
  [(s) => s >= 500, 'provider error'],
];

/**
 * What a failed model call leaves on the message (which admins and webhook receivers read): a
 * short class and the status, never the provider's response body, which for a base URL an
 * organization chose could be any internal page.
 */
export function describeModelFailure(error: unknown): string {
  const chain: Error[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) chain.push(current);
  const refused = chain.find((e) => e instanceof OutboundRefused);
  if (refused) return `Refused address: ${refused.message}`;
  if (chain.some((e) => e instanceof OutboundTimeout || e.name === 'TimeoutError' || e.name === 'AbortError')) return 'Timed out: the provider did not answer in time';
  const status = chain.map(statusOf).find((s) => s !== undefined);
  if (status !== undefined) {
    const kind = STATUS_CLASSES.find(([matches]) => matches(status))?.[1] ?? 'unexpected answer';
    return `The provider answered HTTP ${status} (${kind})`;
  }
  const code = chain.map((e) => (e as Error & { code?: unknown }).code).find((c) => typeof c === 'string');
  if (code || chain.some((e) => /fetch failed|cannot connect/i.test(e.message))) return `Unreachable: could not connect to the provider${code ? ` (${code})` : ''}`;
  if (error instanceof ApiError) return error.message;
  return 'The model call failed';
}

export function createModels(config: Config, outbound?: Pick<OutboundHttp, 'fetch'>): Models {
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
      // Presets offer the models chosen when their key was saved (read from the provider's list).
      ...PROVIDER_PRESETS.flatMap((preset) =>
        (keyFor(preset.id, orgKeys)?.models ?? []).map((m) => ({ id: `${preset.id}:${m}`, provider: preset.id, label: `${preset.label} ${m}`, available: true })),
      ),
    ];
  }

  /**
   * An organization's key goes through the outbound port, whatever its base URL (one it chose, or
   * the provider's own). The deployment's keys and base URLs are the operator's (an Ollama on the
   * same host is a normal setup), so they use the runtime's fetch.
   */
  function fetchFor(key: OrgProviderKey): typeof globalThis.fetch | undefined {
    if (envKeys.includes(key)) return undefined;
    if (!outbound) throw new Error('Organization provider keys need the outbound port');
    return providerFetch(outbound, config.MODEL_TIMEOUT_MS);
  }

  function languageModel(provider: string, name: string, orgKeys?: OrgProviderKey[]): LanguageModel | null {
    const key = keyFor(provider as Provider, orgKeys);
    if (!key) return null;
    const fetch = fetchFor(key);
    // Chat Completions: the API every OpenAI-compatible server speaks too.
    if (provider === 'openai') return openAIChatModel({ apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined, fetch }, name);
    if (provider === 'groq') return createGroq({ apiKey: key.apiKey, baseURL: key.baseUrl ?? undefined, fetch })(name);
    if (provider === 'compatible' && key.baseUrl) return openAIChatModel({ apiKey: key.apiKey, baseURL: key.baseUrl, fetch }, name);
    const preset = presetOf(provider);
    if (preset) return openAIChatModel({ name: preset.id, apiKey: key.apiKey, baseURL: key.baseUrl ?? preset.baseUrl, fetch }, name);
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
