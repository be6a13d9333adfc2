import { boolean, index, integer, jsonb, pgEnum, pgTable, real, smallint, text, time, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { organizations, users } from './tenancy';

export const botStatusEnum = pgEnum('bot_status', ['draft', 'active', 'inactive', 'archived']);
export const botTypeEnum = pgEnum('bot_type', ['ai', 'auto']);

/** The tones and languages a bot can have; varchar columns, so the API's enums and the rows agree by type. */
export const BOT_PERSONALITIES = ['professional', 'friendly', 'concise', 'playful'] as const;
export const BOT_LANGUAGES = ['es', 'en', 'auto'] as const;

export interface WidgetLook {
  title?: string;
  avatarUrl?: string;
  primaryColor?: string;
  position?: 'bottom-right' | 'bottom-left';
  launcherText?: string;
  theme?: 'light' | 'dark' | 'auto';
}

/**
 * How a bot with a toolbox of models picks one per message. `rules`: the first rule whose
 * conditions all hold names the task; `classifier`: the toolbox's `classifier` model labels the
 * message simple or complex (its rules decide when the classifier fails or is absent).
 */
export interface RoutingRule {
  /** Every condition given must hold. */
  minLength?: number;
  maxLength?: number;
  language?: 'es' | 'en';
  channels?: string[];
  /** Any of these words or phrases (case and accent insensitive). */
  words?: string[];
  task: string;
}

export interface RoutingConfig {
  mode: 'rules' | 'classifier';
  rules: RoutingRule[];
}

export interface PreChatField {
  key: string;
  label: string;
  type: 'text' | 'email' | 'phone' | 'select';
  required: boolean;
  options?: string[];
}

export const bots = pgTable(
  'bots',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 200 }).notNull(),
    slug: varchar('slug', { length: 100 }).notNull(),
    description: text('description'),
    type: botTypeEnum('type').notNull().default('ai'),
    status: botStatusEnum('status').notNull().default('draft'),
    /** `<provider>:<model>`, e.g. `openai:gpt-4o-mini`; `builtin:extractive` needs no provider. */
    model: varchar('model', { length: 100 }).notNull().default('builtin:extractive'),
    fallbackModel: varchar('fallback_model', { length: 100 }),
    systemPrompt: text('system_prompt').notNull().default(''),
    temperature: real('temperature').notNull().default(0.7),
    maxTokens: integer('max_tokens').notNull().default(1000),
    personality: varchar('personality', { length: 32 }).$type<(typeof BOT_PERSONALITIES)[number]>().notNull().default('professional'),
    language: varchar('language', { length: 5 }).$type<(typeof BOT_LANGUAGES)[number]>().notNull().default('auto'),
    welcomeMessage: text('welcome_message'),
    fallbackMessage: text('fallback_message'),
    autoReply: text('auto_reply'),
    outOfHoursMessage: text('out_of_hours_message'),
    /**
     * Most owners expect the assistant around the clock and business hours to govern people
     * (handoff); false makes the bot go quiet outside hours with its out-of-hours message.
     */
    answerOutsideHours: boolean('answer_outside_hours').notNull().default(true),
    memorySize: smallint('memory_size').notNull().default(10),
    retrievalTopK: smallint('retrieval_top_k').notNull().default(5),
    /** Minimum relevance of a passage to be used (0..1); 0.1 drops noise from unrelated questions. */
    retrievalThreshold: real('retrieval_threshold').notNull().default(0.1),
    /** With a model: let it reorder the first candidates before answering (costs one small call per turn). */
    retrievalRerank: boolean('retrieval_rerank').notNull().default(false),
    answerOnlyFromKnowledge: boolean('answer_only_from_knowledge').notNull().default(true),
    handoffConfidence: real('handoff_confidence'),
    widget: jsonb('widget').$type<WidgetLook>().notNull().default({}),
    preChatForm: jsonb('pre_chat_form').$type<PreChatField[]>().notNull().default([]),
    allowedOrigins: text('allowed_origins').array().notNull().default([]),
    /** AES-GCM ciphertext of the HMAC key that signs visitor identities (identify()). */
    identitySecretEncrypted: text('identity_secret_encrypted'),
    /** Which toolbox model answers each message (bot_models); unused while the toolbox is empty. */
    routing: jsonb('routing').$type<RoutingConfig>().notNull().default({ mode: 'rules', rules: [] }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    deployedAt: ts('deployed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('bots_org_slug_key').on(t.organizationId, t.slug),
    index('bots_org_status_idx').on(t.organizationId, t.status),
  ],
);

/** Business hours: one row per weekday interval, in the organization's timezone. */
export const schedules = pgTable(
  'schedules',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    botId: uuid('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    /** 0 = Sunday … 6 = Saturday. */
    weekday: smallint('weekday').notNull(),
    opensAt: time('opens_at').notNull(),
    closesAt: time('closes_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('schedules_bot_idx').on(t.botId, t.weekday)],
);

/** Reusable agent replies inserted with `/shortcut` in the inbox. */
export const cannedResponses = pgTable(
  'canned_responses',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    shortcut: varchar('shortcut', { length: 64 }).notNull(),
    content: text('content').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('canned_responses_org_shortcut_key').on(t.organizationId, t.shortcut)],
);

/**
 * Providers an organization can hold a key for: the SDK providers, one custom OpenAI-compatible
 * server, and presets of OpenAI-compatible services (their base URLs: core/models/presets.ts).
 */
export const MODEL_PROVIDERS = ['openai', 'groq', 'compatible', 'gemini', 'mistral', 'together', 'openrouter', 'deepseek', 'ollama', 'lmstudio'] as const;
export const providerEnum = pgEnum('model_provider', MODEL_PROVIDERS);

/** Tasks every toolbox knows; flows may name others (their AI steps refer to a task by name). */
export const BUILTIN_TASKS = ['general', 'complex', 'fast', 'classifier'] as const;

/**
 * A bot's toolbox: models by task, with optional prices (USD per million tokens) that analytics
 * prefers over its list prices. The model's id in the registry is `<provider>:<modelId>`.
 */
export const botModels = pgTable(
  'bot_models',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    botId: uuid('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    provider: varchar('provider', { length: 32 }).notNull(),
    modelId: varchar('model_id', { length: 100 }).notNull(),
    taskType: varchar('task_type', { length: 64 }).notNull().default('general'),
    costInputPer1M: real('cost_input_per_1m'),
    costOutputPer1M: real('cost_output_per_1m'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('bot_models_bot_task_model_key').on(t.botId, t.taskType, t.provider, t.modelId)],
);

/**
 * An organization's own model provider keys (AES-GCM encrypted, never returned by the API); they
 * take precedence over the deployment's environment keys for that organization's bots.
 */
export const providerKeys = pgTable(
  'provider_keys',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    provider: providerEnum('provider').notNull(),
    apiKeyEncrypted: text('api_key_encrypted').notNull(),
    /** Last characters of the key, so people can tell keys apart. */
    keyHint: varchar('key_hint', { length: 8 }).notNull(),
    baseUrl: text('base_url'),
    /** Model names offered through this key (compatible servers list their own). */
    models: text('models').array().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('provider_keys_org_provider_key').on(t.organizationId, t.provider)],
);
