/**
 * Estimated model cost: list prices in USD per million tokens (input, output), from the
 * providers' public price pages (2026). Self-hosted models (`compatible:*`) and the built-in
 * extractive answerer cost nothing per token; an unknown hosted model is reported as unpriced
 * rather than guessed.
 */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export const MODEL_PRICES: Record<string, ModelPrice> = {
  'builtin:extractive': { inputPerMillion: 0, outputPerMillion: 0 },
  'openai:gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'openai:gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'openai:gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'openai:gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'openai:gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'openai:gpt-4-turbo': { inputPerMillion: 10, outputPerMillion: 30 },
  'openai:gpt-3.5-turbo': { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  'openai:o3-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  'openai:o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  'openai:gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'openai:gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'openai:gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  'groq:llama-3.1-8b-instant': { inputPerMillion: 0.05, outputPerMillion: 0.08 },
  'groq:llama-3.3-70b-versatile': { inputPerMillion: 0.59, outputPerMillion: 0.79 },
  'groq:gemma2-9b-it': { inputPerMillion: 0.2, outputPerMillion: 0.2 },
  'groq:openai/gpt-oss-20b': { inputPerMillion: 0.1, outputPerMillion: 0.5 },
  'groq:openai/gpt-oss-120b': { inputPerMillion: 0.15, outputPerMillion: 0.75 },
};

/** Price of a model id, or null when it is a hosted model we have no price for. */
export function priceOf(model: string): ModelPrice | null {
  const known = MODEL_PRICES[model];
  if (known) return known;
  // Models on the organization's own server: no per-token bill.
  if (model.startsWith('compatible:') || model.startsWith('builtin:')) return { inputPerMillion: 0, outputPerMillion: 0 };
  return null;
}

/** Estimated USD for the tokens; 0 for unpriced models (they are flagged separately). */
export function costOf(model: string, inputTokens: number, outputTokens: number): number {
  const price = priceOf(model);
  if (!price) return 0;
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}
