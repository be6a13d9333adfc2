import { z } from 'zod';

/**
 * Runtime configuration, parsed once at each entry from env vars / Worker bindings.
 * Handlers never read the environment: they get this object from the services.
 */
const secret = (name: string) =>
  z.string({ error: `${name} is required` }).min(32, `${name} must be at least 32 characters`);

export const configSchema = z.object({
  runtime: z.enum(['edge', 'local']),
  /** Public origin of the app, used in links sent by mail and in job URLs. */
  APP_URL: z.url().transform((url) => url.replace(/\/+$/, '')),
  JWT_SECRET: secret('JWT_SECRET'),
  /** 32+ chars; AES-GCM key material for credentials stored in the database. */
  ENCRYPTION_KEY: secret('ENCRYPTION_KEY'),
  QSTASH_CURRENT_SIGNING_KEY: secret('QSTASH_CURRENT_SIGNING_KEY'),
  QSTASH_NEXT_SIGNING_KEY: secret('QSTASH_NEXT_SIGNING_KEY'),
  /** Extra origins allowed to call the API with credentials (comma separated). */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
  /** Sign-in and sign-up attempts allowed per IP every 10 minutes (per account it is 10 per 15 minutes). */
  AUTH_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(30),
  /** OpenAI (or any OpenAI-compatible server) for embeddings and chat; optional. */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  GROQ_API_KEY: z.string().optional(),
  GROQ_BASE_URL: z.url().optional(),
  /** Any OpenAI-compatible server (Ollama, vLLM, LM Studio): base URL, key and model names. */
  COMPATIBLE_BASE_URL: z.url().optional(),
  COMPATIBLE_API_KEY: z.string().optional(),
  COMPATIBLE_MODELS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  /** Upper bound for one model call; past it the fallback model (or message) answers. */
  MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Largest upload accepted by the knowledge base, bytes (default 25 MB). */
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  /**
   * Lets URL imports reach loopback and private addresses. Only for local development and tests:
   * in production it would let anyone make the server fetch internal services (SSRF).
   */
  ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Widget chat limits: messages per minute per visitor session and per IP. */
  WIDGET_MESSAGES_PER_SESSION: z.coerce.number().int().positive().default(20),
  WIDGET_MESSAGES_PER_IP: z.coerce.number().int().positive().default(120),
  MAIL_FROM: z.string().default('VersaAI <no-reply@versaai.local>'),
  /** Body size limit for JSON requests, bytes. */
  MAX_JSON_BYTES: z.coerce.number().int().positive().default(1_000_000),
});

export type Config = z.infer<typeof configSchema>;

/** Parse config or fail loudly with every missing/invalid variable by name. */
export function parseConfig(input: Record<string, unknown>): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid VersaAI configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
