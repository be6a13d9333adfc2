import { nodeOutputs, type ConditionRule, type FlowAction, type FlowDocument, type FlowNode, type FlowTool } from './schema';
import type { FlowReply, FlowState, FlowStatus, FlowStep } from './state';
import { interpolate, readPath, type Variables } from './variables';
import { callApi, type ApiResult } from './api-call';
import { validateInput, matchChoice, SKIP_REPLY_ID } from './inputs';
import { keywordIntent } from './intent';

/**
 * The flow runtime: a stateless step function. Given a published document, the conversation's
 * state and the visitor's message, it runs nodes from where the conversation stopped until the
 * flow waits for the visitor (question, input), ends, or hits a guard (the step limit per
 * message, the timeout per node). Everything outside the flow (knowledge, models, HTTP,
 * the conversation itself) comes from the `FlowHost`, so the editor's test and production run
 * the same code.
 */
export interface IncomingMessage {
  text: string;
  /** The id of the button the visitor tapped, when they tapped one. */
  quickReply?: string | null;
}

export interface KnowledgeResult {
  answered: boolean;
  text: string;
}

export interface AiRequest {
  prompt: string;
  task?: string;
  tools: FlowTool[];
  maxSteps: number;
  extract: Array<{ name: string; description: string; type: 'string' | 'number' | 'boolean' }>;
  /** Calls a flow tool (the runtime substitutes the model's input into its request). */
  callTool: (tool: FlowTool, input: Record<string, unknown>) => Promise<unknown>;
  signal: AbortSignal;
}

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface FlowHost {
  channel: string;
  language: string;
  conversationId: string | null;
  contactName: string | null;
  isOpen(): boolean;
  knowledge(query: string, signal: AbortSignal): Promise<KnowledgeResult>;
  /** The bot's model says whether the text has the intent; null when no model is configured. */
  classifyIntent(text: string, intent: string, examples: string[], signal: AbortSignal): Promise<boolean | null>;
  ai(request: AiRequest): Promise<{ text: string; extracted: Record<string, unknown> }>;
  http(request: HttpRequest): Promise<{ status: number; body: string }>;
  secret(name: string): Promise<string | undefined>;
  /** Applies an action to the conversation (the editor's test only records it). */
  applyAction(action: FlowAction, variables: Variables): Promise<unknown>;
  emitWebhook(event: string, data: Record<string, unknown>): Promise<unknown>;
  loadFlow(flowId: string): Promise<{ flowId: string; version: number; document: FlowDocument } | null>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface TurnResult {
  state: FlowState;
  replies: FlowReply[];
  steps: FlowStep[];
  /** Nodes entered this turn, per flow (analytics). */
  reached: Array<{ flowId: string | null; nodeId: string }>;
}

interface NodeOutcome {
  output: string | null;
  replies?: FlowReply[];
  /** The node waits for the visitor's next message. */
  wait?: boolean;
  /** The flow stops here with this status. */
  stop?: FlowStatus;
  /** goto_flow: continue in another flow. */
  switchTo?: { flowId: string; version: number; document: FlowDocument };
  input?: unknown;
  result?: unknown;
  error?: string;
}

const RETRY_TEXT = {
  choice: { es: 'Elige una de las opciones, por favor.', en: 'Please choose one of the options.' },
  email: { es: 'Eso no parece un email válido. ¿Puedes escribirlo de nuevo?', en: 'That does not look like a valid email. Could you type it again?' },
  phone: { es: 'Eso no parece un teléfono válido. ¿Puedes escribirlo de nuevo?', en: 'That does not look like a valid phone number. Could you type it again?' },
  number: { es: 'Escribe un número, por favor.', en: 'Please type a number.' },
  date: { es: 'Escribe una fecha, por ejemplo 2026-03-15.', en: 'Please type a date, for example 2026-03-15.' },
  text: { es: 'No he recibido nada. ¿Puedes escribirlo?', en: 'I did not get anything. Could you type it?' },
};
const SKIP_LABEL = { es: 'Saltar', en: 'Skip' };
/** A message's delay is capped so a flow never holds a request for long. */
const MAX_DELAY_MS = 3000;

class NodeTimeout extends Error {}

function lang(host: FlowHost): 'es' | 'en' {
  return host.language.startsWith('en') ? 'en' : 'es';
}

function builtins(host: FlowHost, incoming: IncomingMessage | null): Variables {
  return { message: incoming?.text ?? '', channel: host.channel, language: host.language, contact_name: host.contactName ?? '', conversation_id: host.conversationId ?? '' };
}

function edgeTarget(doc: FlowDocument, nodeId: string, output: string): string | null {
  return doc.edges.find((e) => e.source === nodeId && e.sourceHandle === output)?.target ?? null;
}

function startOf(doc: FlowDocument) {
  return doc.nodes.find((n) => n.type === 'start')?.id ?? null;
}

/** Runs one node with a deadline: past it the node's work is aborted and the node times out. */
async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new NodeTimeout(`The node took longer than ${ms} ms`));
      reject(new NodeTimeout(`The node took longer than ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a node does when it times out or fails: its error output when it has one, else the flow stops. */
function failureOutput(node: FlowNode): string | null {
  const outputs = nodeOutputs(node);
  if (outputs.includes('error')) return 'error';
  if (outputs.includes('not_confident')) return 'not_confident';
  return null;
}

function compare(rule: Extract<ConditionRule, { kind: 'variable' }>, vars: Variables): boolean {
  const actual = readPath(vars, rule.variable);
  const expected = interpolate(rule.value ?? '', vars);
  const text = actual === undefined || actual === null ? '' : typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  switch (rule.operator) {
    case 'is_set':
      return text !== '';
    case 'is_not_set':
      return text === '';
    case 'equals':
      return text.trim().toLowerCase() === expected.trim().toLowerCase();
    case 'not_equals':
      return text.trim().toLowerCase() !== expected.trim().toLowerCase();
    case 'contains':
      return text.toLowerCase().includes(expected.toLowerCase());
    case 'greater':
    case 'less': {
      const a = Number(text.replace(',', '.'));
      const b = Number(expected.replace(',', '.'));
      if (!Number.isFinite(a) || !Number.isFinite(b) || text === '') return false;
      return rule.operator === 'greater' ? a > b : a < b;
    }
    case 'matches':
      try {
        return new RegExp(expected, 'i').test(text);
      } catch {
        return false;
      }
  }
}

async function ruleHolds(rule: ConditionRule, vars: Variables, host: FlowHost, incoming: IncomingMessage | null, signal: AbortSignal): Promise<boolean> {
  switch (rule.kind) {
    case 'variable':
      return compare(rule, vars);
    case 'intent': {
      const text = incoming?.text ?? '';
      if (!text.trim()) return false;
      const byModel = await host.classifyIntent(text, rule.intent, rule.examples, signal).catch(() => null);
      return byModel ?? keywordIntent(text, rule.intent, rule.examples);
    }
    case 'channel':
      return (rule.channels as readonly string[]).includes(host.channel);
    case 'language':
      return rule.languages.some((l) => host.language.toLowerCase().startsWith(l.toLowerCase()));
    case 'business_hours':
      return host.isOpen() === rule.open;
  }
}

/** The secret-backed auth header of a request, read at call time. */
async function requestHeaders(request: FlowTool['request'], vars: Variables, host: FlowHost): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const h of request.headers) headers[h.name] = interpolate(h.value, vars);
  const { auth } = request;
  if (auth.kind === 'none') return headers;
  const secret = await host.secret(auth.secret);
  if (secret === undefined) throw new Error(`The secret "${auth.secret}" does not exist`);
  if (auth.kind === 'bearer') headers.Authorization = `Bearer ${secret}`;
  else if (auth.kind === 'basic') headers.Authorization = `Basic ${btoa(`${auth.username}:${secret}`)}`;
  else headers[auth.header] = secret;
  return headers;
}

async function sendRequest(request: FlowTool['request'], vars: Variables, host: FlowHost, signal: AbortSignal, limitMs: number): Promise<ApiResult> {
  const headers = await requestHeaders(request, vars, host);
  return callApi(host, request, vars, headers, signal, Math.min(request.timeoutMs, limitMs));
}

export interface RunOptions {
  doc: FlowDocument;
  state: FlowState;
  incoming: IncomingMessage | null;
  host: FlowHost;
}

export async function runTurn({ doc: initialDoc, state: initialState, incoming, host }: RunOptions): Promise<TurnResult> {
  let doc = initialDoc;
  const state: FlowState = { ...initialState, variables: { ...initialState.variables } };
  const replies: FlowReply[] = [];
  const steps: FlowStep[] = [];
  const reached: TurnResult['reached'] = [];
  const l = lang(host);
  const { stepLimit, nodeTimeoutMs } = doc.settings;
  const vars = (): Variables => ({ ...builtins(host, incoming), ...state.variables });
  const byId = (id: string) => doc.nodes.find((n) => n.id === id);
  let stepsRun = 0;

  const record = (node: FlowNode, outcome: NodeOutcome) => {
    steps.push({
      nodeId: node.id,
      type: node.type,
      output: outcome.output,
      ...(outcome.input !== undefined ? { input: outcome.input } : {}),
      ...(outcome.result !== undefined ? { result: outcome.result } : {}),
      variables: { ...state.variables },
      ...(outcome.error ? { error: outcome.error } : {}),
    });
  };

  /** A node reached for the first time this visit. */
  const enter = async (node: FlowNode, signal: AbortSignal): Promise<NodeOutcome> => {
    const v = vars();
    switch (node.type) {
      case 'start':
        return { output: 'next' };
      case 'message': {
        if (node.data.delayMs > 0) await host.sleep(Math.min(node.data.delayMs, MAX_DELAY_MS, nodeTimeoutMs), signal);
        const text = interpolate(node.data.text, v);
        return { output: 'next', replies: [{ text, ...(node.data.media ? { media: node.data.media } : {}) }] };
      }
      case 'question':
        return { output: null, wait: true, replies: [{ text: interpolate(node.data.prompt, v), quickReplies: node.data.choices.map((c) => ({ id: c.id, label: c.label })) }] };
      case 'input':
        return { output: null, wait: true, replies: [{ text: interpolate(node.data.prompt, v), ...(node.data.allowSkip ? { quickReplies: [{ id: SKIP_REPLY_ID, label: node.data.skipLabel || SKIP_LABEL[l] }] } : {}) }] };
      case 'condition': {
        for (const rule of node.data.rules) {
          if (await ruleHolds(rule.when, v, host, incoming, signal)) return { output: `rule:${rule.id}`, result: { rule: rule.id } };
        }
        return { output: 'else' };
      }
      case 'knowledge': {
        const query = node.data.query ? interpolate(node.data.query, v) : (incoming?.text ?? '');
        const found = await host.knowledge(query, signal);
        if (!found.answered) return { output: 'not_confident', input: { query } };
        if (node.data.saveAs) state.variables[node.data.saveAs] = found.text;
        return { output: 'answered', input: { query }, replies: [{ text: found.text }] };
      }
      case 'ai': {
        const tools = doc.tools.filter((t) => node.data.tools.includes(t.name));
        const prompt = interpolate(node.data.prompt, v);
        const result = await host.ai({
          prompt,
          task: node.data.task,
          tools,
          maxSteps: node.data.maxSteps,
          extract: node.data.extract,
          signal,
          callTool: async (tool, toolInput) => {
            const answer = await sendRequest(tool.request, { ...vars(), input: toolInput }, host, signal, nodeTimeoutMs);
            return answer.json ?? answer.text;
          },
        });
        if (node.data.saveAs) state.variables[node.data.saveAs] = result.text;
        for (const [name, value] of Object.entries(result.extracted)) state.variables[name] = value;
        return { output: 'next', input: { prompt }, result: { text: result.text, extracted: result.extracted }, replies: node.data.reply && result.text ? [{ text: result.text }] : [] };
      }
      case 'api_call': {
        const { request, mapping, statusVariable } = node.data;
        let answer: ApiResult;
        try {
          answer = await sendRequest(request, v, host, signal, nodeTimeoutMs);
        } catch (error) {
          if (error instanceof NodeTimeout || signal.aborted) throw error;
          if (statusVariable) state.variables[statusVariable] = 0;
          return { output: 'error', input: { method: request.method, url: interpolate(request.url, v, encodeURIComponent) }, error: error instanceof Error ? error.message : String(error) };
        }
        if (statusVariable) state.variables[statusVariable] = answer.status;
        const ok = answer.status >= 200 && answer.status < 300;
        if (ok) for (const m of mapping) state.variables[m.variable] = readPath(answer.json, m.path) ?? null;
        return {
          output: ok ? 'success' : 'error',
          input: { method: request.method, url: answer.url },
          result: { status: answer.status, body: answer.json ?? answer.text.slice(0, 2000) },
          ...(ok ? {} : { error: `The API answered ${answer.status}` }),
        };
      }
      case 'action': {
        const { action } = node.data;
        if (action.kind === 'goto_flow') {
          const target = await host.loadFlow(action.flowId);
          if (!target) return { output: null, stop: 'stopped', error: 'The flow to go to is not published' };
          return { output: null, switchTo: target, result: { flowId: target.flowId, version: target.version } };
        }
        const result = await host.applyAction(action, v);
        if (action.kind === 'handoff') return { output: null, stop: 'handed_off', result };
        if (action.kind === 'close' || action.kind === 'end') return { output: null, stop: 'completed', result };
        return { output: 'next', result };
      }
      case 'webhook': {
        const data = Object.fromEntries(node.data.variables.map((name) => [name, readPath(v, name) ?? null]));
        const result = await host.emitWebhook(node.data.event, data);
        return { output: 'next', input: { event: node.data.event, variables: data }, result };
      }
    }
  };

  /** The visitor answered the node that waited for them. */
  const resume = (node: FlowNode, retries: number): NodeOutcome & { retries?: number } => {
    const text = (incoming?.text ?? '').trim();
    const tapped = incoming?.quickReply ?? null;
    const reask = (retryPrompt: string | undefined, fallback: string, quickReplies?: FlowReply['quickReplies']): NodeOutcome & { retries: number } => ({
      output: null,
      wait: true,
      retries: retries + 1,
      input: { text, quickReply: tapped },
      result: { retry: retries + 1 },
      replies: [{ text: retryPrompt ? interpolate(retryPrompt, vars()) : fallback, ...(quickReplies ? { quickReplies } : {}) }],
    });
    if (node.type === 'question') {
      const choice = matchChoice(node.data.choices, text, tapped);
      if (choice) {
        state.variables[node.data.variable] = choice.label;
        return { output: `choice:${choice.id}`, input: { text, quickReply: tapped } };
      }
      if (node.data.allowFreeText && text) {
        state.variables[node.data.variable] = text;
        return { output: 'other', input: { text } };
      }
      if (retries < node.data.retries) return reask(node.data.retryPrompt, `${RETRY_TEXT.choice[l]}`, node.data.choices.map((c) => ({ id: c.id, label: c.label })));
      return { output: 'invalid', input: { text } };
    }
    if (node.type === 'input') {
      const skipWords = [SKIP_LABEL.es, SKIP_LABEL.en, node.data.skipLabel ?? ''].filter(Boolean).map((w) => w.toLowerCase());
      if (node.data.allowSkip && (tapped === SKIP_REPLY_ID || skipWords.includes(text.toLowerCase()))) return { output: 'skipped', input: { text } };
      const checked = validateInput(node.data.validation, text);
      if (checked.ok) {
        state.variables[node.data.variable] = checked.value;
        return { output: 'next', input: { text }, result: { value: checked.value } };
      }
      if (retries < node.data.retries) {
        return reask(node.data.retryPrompt, RETRY_TEXT[node.data.validation][l], node.data.allowSkip ? [{ id: SKIP_REPLY_ID, label: node.data.skipLabel || SKIP_LABEL[l] }] : undefined);
      }
      return { output: 'invalid', input: { text } };
    }
    return { output: nodeOutputs(node)[0] ?? null };
  };

  const finish = (status: FlowStatus) => {
    state.status = status;
    state.waiting = null;
  };

  let current: string | null;
  if (state.status === 'waiting' && state.waiting && byId(state.waiting.nodeId)) {
    const node = byId(state.waiting.nodeId)!;
    stepsRun++;
    const outcome = resume(node, state.waiting.retries);
    record(node, outcome);
    replies.push(...(outcome.replies ?? []));
    if (outcome.wait) {
      state.waiting = { nodeId: node.id, retries: outcome.retries ?? state.waiting.retries };
      return { state, replies, steps, reached };
    }
    current = outcome.output ? edgeTarget(doc, node.id, outcome.output) : null;
  } else {
    current = startOf(doc);
  }
  state.status = 'running';
  state.waiting = null;

  while (current) {
    const node = byId(current);
    if (!node) break;
    if (stepsRun >= stepLimit) {
      steps.push({ nodeId: node.id, type: node.type, output: null, variables: { ...state.variables }, error: `Stopped: more than ${stepLimit} steps for one message` });
      finish('stopped');
      return { state, replies, steps, reached };
    }
    stepsRun++;
    reached.push({ flowId: state.flowId, nodeId: node.id });
    let outcome: NodeOutcome;
    try {
      outcome = await withDeadline(nodeTimeoutMs, (signal) => enter(node, signal));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = { output: failureOutput(node), error: message };
      if (outcome.output === null) outcome.stop = 'stopped';
    }
    record(node, outcome);
    replies.push(...(outcome.replies ?? []));
    if (outcome.wait) {
      state.status = 'waiting';
      state.waiting = { nodeId: node.id, retries: 0 };
      return { state, replies, steps, reached };
    }
    if (outcome.stop) {
      finish(outcome.stop);
      return { state, replies, steps, reached };
    }
    if (outcome.switchTo) {
      doc = outcome.switchTo.document;
      state.flowId = outcome.switchTo.flowId;
      state.version = outcome.switchTo.version;
      current = startOf(doc);
      continue;
    }
    current = outcome.output ? edgeTarget(doc, node.id, outcome.output) : null;
  }
  finish('completed');
  return { state, replies, steps, reached };
}
