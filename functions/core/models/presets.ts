import type { MODEL_PROVIDERS } from '../../../db/schema';

/**
 * OpenAI-compatible services an organization can use with only a key: each is a base URL (the
 * key may override it) and speaks Chat Completions and `GET /models`. Adding a service is one entry
 * here (and its name in `MODEL_PROVIDERS`); no provider code.
 */
export type PresetId = Exclude<(typeof MODEL_PROVIDERS)[number], 'openai' | 'groq' | 'compatible'>;

export interface ProviderPreset {
  id: PresetId;
  label: string;
  baseUrl: string;
  /** On the operator's own machine or network: offered only where private addresses are allowed. */
  local: boolean;
  /** Where people get a key (shown in the dashboard). */
  keyUrl: string | null;
  /** Models suggested when the provider's list cannot be read. */
  suggestedModels: string[];
}

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'gemini',
    label: 'Google Gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    local: false,
    keyUrl: 'https://aistudio.google.com/apikey',
    suggestedModels: ['gemini-2.5-flash', 'gemini-2.5-pro'],
  },
  { id: 'mistral', label: 'Mistral AI', baseUrl: 'https://api.mistral.ai/v1', local: false, keyUrl: 'https://console.mistral.ai/api-keys', suggestedModels: ['mistral-small-latest', 'mistral-large-latest'] },
  {
    id: 'together',
    label: 'Together AI',
    baseUrl: 'https://api.together.xyz/v1',
    local: false,
    keyUrl: 'https://api.together.ai/settings/api-keys',
    suggestedModels: ['meta-llama/Llama-3.3-70B-Instruct-Turbo'],
  },
  { id: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', local: false, keyUrl: 'https://openrouter.ai/keys', suggestedModels: ['openai/gpt-4o-mini'] },
  { id: 'deepseek', label: 'DeepSeek', baseUrl: 'https://api.deepseek.com/v1', local: false, keyUrl: 'https://platform.deepseek.com/api_keys', suggestedModels: ['deepseek-chat', 'deepseek-reasoner'] },
  { id: 'ollama', label: 'Ollama (local)', baseUrl: 'http://localhost:11434/v1', local: true, keyUrl: null, suggestedModels: ['llama3.2', 'qwen2.5'] },
  { id: 'lmstudio', label: 'LM Studio (local)', baseUrl: 'http://localhost:1234/v1', local: true, keyUrl: null, suggestedModels: [] },
];

export function presetOf(provider: string): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((p) => p.id === provider);
}
