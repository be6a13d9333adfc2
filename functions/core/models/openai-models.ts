import { OpenAIChatLanguageModel, OpenAIEmbeddingModel } from '@ai-sdk/openai/internal';

/**
 * The two kinds of OpenAI model VersaAI calls, Chat Completions (the API every OpenAI-compatible
 * server speaks too) and embeddings, built exactly as `createOpenAI(...).chat()` and
 * `.embedding()` build them. `createOpenAI` itself references every model class and tool of the
 * provider (Responses API, images, speech, realtime, code interpreter…), which no bundler can drop
 * from the Workers bundle every cold start parses; importing the two classes from the package's
 * `internal` entry leaves the rest out. models.test.ts and the chat tests drive both against a
 * local server speaking OpenAI's wire format.
 */
export interface OpenAIConnection {
  apiKey?: string;
  baseURL?: string;
  /** The provider name in the AI SDK's metadata (`openai`, or a preset's id). */
  name?: string;
  fetch?: typeof globalThis.fetch;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

function settingsOf(connection: OpenAIConnection, kind: 'chat' | 'embedding') {
  const baseURL = (connection.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  return {
    provider: `${connection.name ?? 'openai'}.${kind}`,
    url: ({ path }: { path: string }) => `${baseURL}${path}`,
    headers: () => ({ Authorization: `Bearer ${connection.apiKey ?? ''}` }),
    fetch: connection.fetch,
  };
}

export const openAIChatModel = (connection: OpenAIConnection, modelId: string) => new OpenAIChatLanguageModel(modelId, settingsOf(connection, 'chat'));

export const openAIEmbeddingModel = (connection: OpenAIConnection, modelId: string) => new OpenAIEmbeddingModel(modelId, settingsOf(connection, 'embedding'));
