/**
 * The flow document: what the editor saves, what the runtime executes, what the API stores.
 *
 * One shape for all three, so a flow exported from the editor runs unchanged on the widget,
 * the channels, the playground and the API. Pure zod, no database or Node imports: the dashboard
 * imports this module too (the canvas draws a node's output handles from `nodeOutputs`).
 *
 * Wiring: an edge leaves a node through a named output (`sourceHandle`) and enters a node. Which
 * outputs a node has depends on its type and data (a question has one output per choice), and
 * `nodeOutputs` is the single place that says so.
 */
import { z } from 'zod';

export const FLOW_FORMAT_VERSION = 1;

/** Variable names as `{{name}}` placeholders use them: letters, digits, `_` and `.` for paths. */
export const variableName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Use letters, digits and _ (starting with a letter or _)');

const nodeId = z.string().min(1).max(64);
const shortText = z.string().max(200);
const longText = z.string().max(4000);

export const FLOW_CHANNELS = ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api', 'playground', 'email', 'slack', 'discord'] as const;

// ---- node data, one schema per node type -------------------------------------------------------

export const startData = z.object({});

export const messageData = z.object({
  /** Markdown with `{{variable}}` placeholders. May be empty when only media is sent. */
  text: longText.default(''),
  media: z
    .object({ kind: z.enum(['image', 'file']), url: z.string().url().max(2000), name: shortText.optional() })
    .optional(),
  /** Pause before the next step (typing feel); bounded so a flow never waits long. */
  delayMs: z.number().int().min(0).max(10_000).default(0),
});

export const choice = z.object({ id: nodeId, label: z.string().min(1).max(80) });

/** Ask and branch on a choice: one output per choice (`choice:<id>`), plus `other` for free text. */
export const questionData = z.object({
  prompt: longText.min(1),
  variable: variableName,
  choices: z.array(choice).min(1).max(10),
  /** Buttons (≤ 3 render as buttons on WhatsApp) or a list (WhatsApp list message, up to 10). */
  display: z.enum(['buttons', 'list']).default('buttons'),
  /** When false, a typed answer that matches no choice re-asks (counts as a retry). */
  allowFreeText: z.boolean().default(false),
  retries: z.number().int().min(0).max(5).default(2),
  retryPrompt: longText.optional(),
});

export const INPUT_VALIDATIONS = ['text', 'email', 'phone', 'number', 'date'] as const;

/** Ask for a value, validate it, store it: outputs `next`, `invalid` (retries used up), `skipped`. */
export const inputData = z.object({
  prompt: longText.min(1),
  variable: variableName,
  validation: z.enum(INPUT_VALIDATIONS).default('text'),
  retries: z.number().int().min(0).max(5).default(2),
  retryPrompt: longText.optional(),
  allowSkip: z.boolean().default(false),
  skipLabel: z.string().max(40).optional(),
});

export const VARIABLE_OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'greater',
  'less',
  'matches',
  'is_set',
  'is_not_set',
] as const;

export const conditionRule = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('variable'),
    variable: variableName,
    operator: z.enum(VARIABLE_OPERATORS),
    /** Compared value (may hold `{{variables}}`); unused by is_set / is_not_set. */
    value: shortText.optional(),
  }),
  /** The visitor's last message has this intent: the bot's model when configured, else examples/keywords. */
  z.object({ kind: z.literal('intent'), intent: z.string().min(1).max(80), examples: z.array(shortText).max(30).default([]) }),
  z.object({ kind: z.literal('channel'), channels: z.array(z.enum(FLOW_CHANNELS)).min(1) }),
  z.object({ kind: z.literal('language'), languages: z.array(z.string().min(2).max(8)).min(1) }),
  /** Inside (true) or outside (false) the bot's business hours. */
  z.object({ kind: z.literal('business_hours'), open: z.boolean() }),
]);

/** Rules are tried in order; the first that holds takes its output (`rule:<id>`), else `else`. */
export const conditionData = z.object({
  rules: z.array(z.object({ id: nodeId, label: shortText.optional(), when: conditionRule })).min(1).max(20),
});

/** Answer from the bot's knowledge bases: outputs `answered` and `not_confident`. */
export const knowledgeData = z.object({
  /** What to search; defaults to the visitor's last message. May hold `{{variables}}`. */
  query: longText.optional(),
  /** Store the answer text in a variable as well as sending it. */
  saveAs: variableName.optional(),
});

export const extractField = z.object({
  name: variableName,
  description: shortText.default(''),
  type: z.enum(['string', 'number', 'boolean']).default('string'),
});

/** A prompt step with the bot's model: outputs `next` and `error`. */
export const aiData = z.object({
  prompt: longText.min(1),
  /** A toolbox task of the bot (general, complex, fast…); the bot's default model when absent. */
  task: z.string().max(40).optional(),
  /** Send the model's text to the visitor (false when the step only extracts fields). */
  reply: z.boolean().default(true),
  saveAs: variableName.optional(),
  /** Structured fields the model fills into variables. */
  extract: z.array(extractField).max(20).default([]),
  /** Names of the flow's tools the model may call. */
  tools: z.array(z.string().min(1).max(64)).max(10).default([]),
  maxSteps: z.number().int().min(1).max(8).default(3),
});

export const httpHeader = z.object({ name: z.string().min(1).max(100), value: z.string().max(2000) });

/** Auth reads a secret of the organization by name; the secret's value never enters the flow. */
export const requestAuth = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('bearer'), secret: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('basic'), username: shortText, secret: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('header'), header: z.string().min(1).max(100), secret: z.string().min(1).max(100) }),
]);

export const apiRequest = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  /** May hold `{{variables}}` (URL-encoded when substituted). */
  url: z.string().min(1).max(2000),
  headers: z.array(httpHeader).max(20).default([]),
  /** Body template (JSON or text) with `{{variables}}`. */
  body: z.string().max(20_000).optional(),
  auth: requestAuth.default({ kind: 'none' }),
  timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
});

/** Map a field of the JSON response (dot path, `items.0.name`) into a variable. */
export const responseMapping = z.object({ variable: variableName, path: z.string().max(200) });

/** Call an HTTP API through the SSRF-safe outbound port: outputs `success` and `error`. */
export const apiCallData = z.object({
  request: apiRequest,
  mapping: z.array(responseMapping).max(30).default([]),
  /** Store the HTTP status in this variable. */
  statusVariable: variableName.optional(),
});

export const flowAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('handoff'), team: shortText.optional(), assigneeId: z.string().uuid().optional(), note: shortText.optional() }),
  z.object({ kind: z.literal('add_tags'), tags: z.array(z.string().min(1).max(50)).min(1).max(20) }),
  z.object({ kind: z.literal('set_priority'), priority: z.enum(['low', 'medium', 'high', 'urgent']) }),
  z.object({
    kind: z.literal('set_attributes'),
    attributes: z.array(z.object({ key: z.string().min(1).max(64), value: shortText })).min(1).max(20),
  }),
  z.object({ kind: z.literal('close') }),
  z.object({ kind: z.literal('goto_flow'), flowId: z.string().uuid() }),
  z.object({ kind: z.literal('end') }),
  /** WhatsApp only (skipped elsewhere): an approved template, the one message allowed after the 24-hour window. */
  z.object({
    kind: z.literal('send_whatsapp_template'),
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    /** Values for the body's variables in order; `{{variable}}` references are filled in. */
    body: z.array(shortText).max(20).default([]),
    header: z.array(shortText).max(1).default([]),
  }),
]);

/** Do something to the conversation. Handoff, close, goto_flow and end stop the flow; others continue via `next`. */
export const actionData = z.object({ action: flowAction });

/** Emit a signed `flow.event` to the organization's webhook endpoints with the chosen variables. */
export const webhookData = z.object({
  event: z.string().min(1).max(80).regex(/^[a-z0-9_.-]+$/i),
  variables: z.array(variableName).max(30).default([]),
});

export const NODE_TYPES = [
  'start',
  'message',
  'question',
  'input',
  'condition',
  'knowledge',
  'ai',
  'api_call',
  'action',
  'webhook',
] as const;
export type FlowNodeType = (typeof NODE_TYPES)[number];

const position = z.object({ x: z.number().finite(), y: z.number().finite() });
const nodeBase = { id: nodeId, position, label: shortText.optional() };

export const flowNode = z.discriminatedUnion('type', [
  z.object({ ...nodeBase, type: z.literal('start'), data: startData }),
  z.object({ ...nodeBase, type: z.literal('message'), data: messageData }),
  z.object({ ...nodeBase, type: z.literal('question'), data: questionData }),
  z.object({ ...nodeBase, type: z.literal('input'), data: inputData }),
  z.object({ ...nodeBase, type: z.literal('condition'), data: conditionData }),
  z.object({ ...nodeBase, type: z.literal('knowledge'), data: knowledgeData }),
  z.object({ ...nodeBase, type: z.literal('ai'), data: aiData }),
  z.object({ ...nodeBase, type: z.literal('api_call'), data: apiCallData }),
  z.object({ ...nodeBase, type: z.literal('action'), data: actionData }),
  z.object({ ...nodeBase, type: z.literal('webhook'), data: webhookData }),
]);

export const flowEdge = z.object({
  id: z.string().min(1).max(128),
  source: nodeId,
  /** The source node's output this edge leaves from (see `nodeOutputs`). */
  sourceHandle: z.string().min(1).max(80),
  target: nodeId,
});

/** A tool the AI step may call: an API request whose `{{input.field}}` placeholders come from the model. */
export const flowTool = z.object({
  name: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/),
  description: z.string().min(1).max(1000),
  /** JSON Schema (object) of the tool's input, as the model sees it. */
  inputSchema: z.record(z.string(), z.unknown()),
  request: apiRequest,
});

export const flowSettings = z.object({
  /** Steps one incoming message may run before the flow is stopped (a loop guard). */
  stepLimit: z.number().int().min(1).max(100).default(25),
  /** Longest a single node may take (API calls, model steps). */
  nodeTimeoutMs: z.number().int().min(100).max(30_000).default(10_000),
});

export const flowDocument = z.object({
  format: z.literal(FLOW_FORMAT_VERSION).default(FLOW_FORMAT_VERSION),
  nodes: z.array(flowNode).max(1000),
  edges: z.array(flowEdge).max(3000),
  /** Declared variables (documentation and validation of `{{name}}` references). */
  variables: z.array(z.object({ name: variableName, description: shortText.optional() })).max(200).default([]),
  tools: z.array(flowTool).max(20).default([]),
  settings: flowSettings.default({ stepLimit: 25, nodeTimeoutMs: 10_000 }),
});

export type FlowDocument = z.infer<typeof flowDocument>;
export type FlowNode = z.infer<typeof flowNode>;
export type FlowEdge = z.infer<typeof flowEdge>;
export type FlowTool = z.infer<typeof flowTool>;
export type ConditionRule = z.infer<typeof conditionRule>;
export type FlowAction = z.infer<typeof flowAction>;

/** Actions after which the flow stops (nothing may follow them). */
export const TERMINAL_ACTIONS: ReadonlySet<FlowAction['kind']> = new Set(['handoff', 'close', 'goto_flow', 'end']);

/** The named outputs a node can leave through; the editor draws one handle per output. */
export function nodeOutputs(node: FlowNode): string[] {
  switch (node.type) {
    case 'start':
    case 'message':
    case 'webhook':
      return ['next'];
    case 'question':
      return [...node.data.choices.map((c) => `choice:${c.id}`), ...(node.data.allowFreeText ? ['other'] : ['invalid'])];
    case 'input':
      return ['next', 'invalid', ...(node.data.allowSkip ? ['skipped'] : [])];
    case 'condition':
      return [...node.data.rules.map((r) => `rule:${r.id}`), 'else'];
    case 'knowledge':
      return ['answered', 'not_confident'];
    case 'ai':
      return ['next', 'error'];
    case 'api_call':
      return ['success', 'error'];
    case 'action':
      return TERMINAL_ACTIONS.has(node.data.action.kind) ? [] : ['next'];
  }
}

/** A new, valid, empty flow: a start node and nothing else. */
export function emptyFlow(): FlowDocument {
  return flowDocument.parse({ nodes: [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} }], edges: [] });
}

/**
 * Stable codes of validation issues. The dashboard words each one in the user's language from its
 * `params` (web/src/lib/flow-issues.ts), so a new code needs a message there in es and en.
 */
export const FLOW_ISSUE_CODES = [
  'no_start',
  'many_starts',
  'duplicate_node_id',
  'unreachable',
  'dangling_output',
  'unknown_target',
  'unknown_output',
  'missing_variable',
  'tool_missing_variable',
  'loop_without_exit',
  'loop_without_wait',
  'unknown_tool',
  'unknown_secret',
  'tool_unknown_secret',
  'unknown_flow',
  'duplicate_choice',
  'invalid_pattern',
  'invalid_config',
] as const;
export type FlowIssueCode = (typeof FLOW_ISSUE_CODES)[number];

/**
 * What an issue is about, by name: `node` (id) and `label` (its label, when it has one) for node
 * issues, and per code `output`, `variable`, `tool`, `secret`, `edge`, `missing` (the id an edge
 * points to), `nodes` (a loop's ids, comma-separated), `rule`, `field`.
 */
export const flowIssueParams = z.record(z.string(), z.string());

/** A problem found by validation, named by node (or edge) so the editor can mark it on the canvas. */
export const flowIssue = z.object({
  code: z.enum(FLOW_ISSUE_CODES),
  /** `error` blocks publishing; `warning` is shown but allowed. */
  severity: z.enum(['error', 'warning']),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  params: flowIssueParams,
  /** English, for logs and API clients; the dashboard words the issue from `code` and `params`. */
  message: z.string(),
});
export type FlowIssue = z.infer<typeof flowIssue>;
