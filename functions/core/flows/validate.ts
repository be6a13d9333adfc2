import { nodeOutputs, type FlowDocument, type FlowIssue, type FlowNode } from './schema';

/**
 * Checks a flow document before it can be published: pure (no database), so the editor's
 * "validate" and the server's publish answer the same. Every issue names the node (or edge) it
 * is about, and `error` issues block publishing.
 */
export interface ValidationContext {
  /** Names of the organization's secrets; when absent, secret references are not checked. */
  secrets?: readonly string[];
  /** Ids of the bot's other flows (goto_flow targets); when absent, not checked. */
  flows?: readonly string[];
}

/** Variables every flow has without setting them (see runtime.ts `builtinVariables`). */
export const BUILTIN_VARIABLES = ['message', 'channel', 'language', 'contact_name', 'conversation_id'] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z0-9_.]+)?\s*\}\}/g;

/** The root names of the `{{placeholders}}` in a text (`{{order.id}}` -> `order`). */
export function placeholdersIn(text: string | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function nodeName(node: FlowNode) {
  return node.label ? `"${node.label}" (${node.id})` : `"${node.id}"`;
}

/** The params every node issue carries: the node's id and, when it has one, its label. */
function aboutNode(node: FlowNode, extra: Record<string, string> = {}): Record<string, string> {
  return { node: node.id, ...(node.label ? { label: node.label } : {}), ...extra };
}

/** Variables a node stores when it runs. */
function variablesSetBy(node: FlowNode): string[] {
  switch (node.type) {
    case 'question':
    case 'input':
      return [node.data.variable];
    case 'knowledge':
      return node.data.saveAs ? [node.data.saveAs] : [];
    case 'ai':
      return [...(node.data.saveAs ? [node.data.saveAs] : []), ...node.data.extract.map((f) => f.name)];
    case 'api_call':
      return [...node.data.mapping.map((m) => m.variable), ...(node.data.statusVariable ? [node.data.statusVariable] : [])];
    default:
      return [];
  }
}

/** Variables a node reads, from its texts and fields. */
function variablesReadBy(node: FlowNode): string[] {
  switch (node.type) {
    case 'message':
      return placeholdersIn(node.data.text);
    case 'question':
    case 'input':
      return [...placeholdersIn(node.data.prompt), ...placeholdersIn(node.data.retryPrompt)];
    case 'condition':
      return node.data.rules.flatMap((r) => (r.when.kind === 'variable' ? [r.when.variable, ...placeholdersIn(r.when.value)] : []));
    case 'knowledge':
      return placeholdersIn(node.data.query);
    case 'ai':
      return placeholdersIn(node.data.prompt);
    case 'api_call': {
      const { request } = node.data;
      return [...placeholdersIn(request.url), ...placeholdersIn(request.body), ...request.headers.flatMap((h) => placeholdersIn(h.value))];
    }
    case 'action':
      if (node.data.action.kind === 'send_whatsapp_template') return [...node.data.action.header, ...node.data.action.body].flatMap(placeholdersIn);
      return node.data.action.kind === 'set_attributes' ? node.data.action.attributes.flatMap((a) => placeholdersIn(a.value)) : [];
    case 'webhook':
      return node.data.variables;
    default:
      return [];
  }
}

function secretsUsedBy(node: FlowNode): string[] {
  if (node.type !== 'api_call') return [];
  const { auth } = node.data.request;
  return auth.kind === 'none' ? [] : [auth.secret];
}

/** Strongly connected components with a cycle (Tarjan), as node id sets. */
function cycles(ids: string[], next: Map<string, string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  // Iterative, so a 1000-node chain cannot overflow the call stack.
  for (const root of ids) {
    if (indexes.has(root)) continue;
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    indexes.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = next.get(frame.id) ?? [];
      if (frame.i < targets.length) {
        const target = targets[frame.i++]!;
        if (!indexes.has(target)) {
          indexes.set(target, index);
          low.set(target, index++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, i: 0 });
        } else if (onStack.has(target)) low.set(frame.id, Math.min(low.get(frame.id)!, indexes.get(target)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.id;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === indexes.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        const selfLoop = component.length === 1 && targets.includes(frame.id);
        if (component.length > 1 || selfLoop) found.push(component);
      }
    }
  }
  return found;
}

export function validateFlow(doc: FlowDocument, context: ValidationContext = {}): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const error = (issue: Omit<FlowIssue, 'severity'>) => issues.push({ ...issue, severity: 'error' });
  const warning = (issue: Omit<FlowIssue, 'severity'>) => issues.push({ ...issue, severity: 'warning' });

  const byId = new Map<string, FlowNode>();
  for (const node of doc.nodes) {
    if (byId.has(node.id)) error({ code: 'duplicate_node_id', nodeId: node.id, params: { node: node.id }, message: `Two nodes share the id "${node.id}"` });
    byId.set(node.id, node);
  }
  const starts = doc.nodes.filter((n) => n.type === 'start');
  if (starts.length === 0) error({ code: 'no_start', params: {}, message: 'The flow has no start node' });
  for (const extra of starts.slice(1)) error({ code: 'many_starts', nodeId: extra.id, params: aboutNode(extra), message: `Node ${nodeName(extra)} is a second start node; a flow has one` });

  // Edges: both ends known, leaving through an output the source has.
  const next = new Map<string, string[]>();
  const wired = new Set<string>();
  for (const edge of doc.edges) {
    const source = byId.get(edge.source);
    if (!source || !byId.has(edge.target)) {
      const missing = !source ? edge.source : edge.target;
      error({ code: 'unknown_target', edgeId: edge.id, nodeId: source?.id, params: { edge: edge.id, missing }, message: `Edge "${edge.id}" connects a node that does not exist (${!source ? edge.source : edge.target})` });
      continue;
    }
    if (!nodeOutputs(source).includes(edge.sourceHandle)) {
      error({ code: 'unknown_output', edgeId: edge.id, nodeId: source.id, params: aboutNode(source, { output: edge.sourceHandle, edge: edge.id }), message: `Node ${nodeName(source)} has no output "${edge.sourceHandle}"` });
      continue;
    }
    wired.add(`${edge.source}\u0000${edge.sourceHandle}`);
    next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  }

  for (const node of doc.nodes) {
    for (const output of nodeOutputs(node)) {
      if (!wired.has(`${node.id}\u0000${output}`)) {
        warning({ code: 'dangling_output', nodeId: node.id, params: aboutNode(node, { output }), message: `Output "${output}" of node ${nodeName(node)} leads nowhere; the flow ends there` });
      }
    }
  }

  // Reachability from the start.
  const reached = new Set<string>();
  const queue = starts[0] ? [starts[0].id] : [];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...(next.get(id) ?? []));
  }
  if (starts[0]) {
    for (const node of doc.nodes) {
      if (!reached.has(node.id) && node.type !== 'start') error({ code: 'unreachable', nodeId: node.id, params: aboutNode(node), message: `Node ${nodeName(node)} cannot be reached from the start` });
    }
  }

  // Variables read must be set somewhere (or declared, or built in).
  const known = new Set<string>([...BUILTIN_VARIABLES, ...doc.variables.map((v) => v.name), ...doc.nodes.flatMap(variablesSetBy)]);
  for (const node of doc.nodes) {
    for (const name of new Set(variablesReadBy(node))) {
      if (!known.has(name)) error({ code: 'missing_variable', nodeId: node.id, params: aboutNode(node, { variable: name }), message: `Node ${nodeName(node)} uses {{${name}}}, which no node sets and the flow does not declare` });
    }
  }
  for (const tool of doc.tools) {
    const read = [...placeholdersIn(tool.request.url), ...placeholdersIn(tool.request.body), ...tool.request.headers.flatMap((h) => placeholdersIn(h.value))];
    for (const name of new Set(read)) {
      if (name !== 'input' && !known.has(name)) error({ code: 'tool_missing_variable', params: { tool: tool.name, variable: name }, message: `Tool "${tool.name}" uses {{${name}}}, which no node sets and the flow does not declare` });
    }
  }

  // Loops: one that never waits for the visitor and never leaves would spin until the step limit.
  for (const component of cycles(doc.nodes.map((n) => n.id), next)) {
    const members = new Set(component);
    const waits = component.some((id) => {
      const type = byId.get(id)?.type;
      return type === 'question' || type === 'input';
    });
    if (waits) continue;
    const exits = component.some((id) => (next.get(id) ?? []).some((target) => !members.has(target)));
    const first = doc.nodes.find((n) => members.has(n.id))!;
    const names = component.map((id) => `"${id}"`).join(', ');
    const params = aboutNode(first, { nodes: component.join(', ') });
    if (!exits) error({ code: 'loop_without_exit', nodeId: first.id, params, message: `Nodes ${names} form a loop that never waits for the visitor and never leaves` });
    else warning({ code: 'loop_without_wait', nodeId: first.id, params, message: `Nodes ${names} loop without waiting for the visitor; the step limit stops it` });
  }

  // Tools, secrets, other flows, and node data the schema cannot check alone.
  const toolNames = new Set(doc.tools.map((t) => t.name));
  const secrets = context.secrets ? new Set(context.secrets) : null;
  const checkSecret = (name: string, owner: { node: FlowNode } | { tool: string }) => {
    if (!secrets || secrets.has(name)) return;
    if ('node' in owner) {
      const { node } = owner;
      error({ code: 'unknown_secret', nodeId: node.id, params: aboutNode(node, { secret: name }), message: `Node ${nodeName(node)} uses the secret "${name}", which the organization does not have` });
    } else error({ code: 'tool_unknown_secret', params: { tool: owner.tool, secret: name }, message: `Tool "${owner.tool}" uses the secret "${name}", which the organization does not have` });
  };
  for (const node of doc.nodes) {
    if (node.type === 'ai') {
      for (const name of node.data.tools) {
        if (!toolNames.has(name)) error({ code: 'unknown_tool', nodeId: node.id, params: aboutNode(node, { tool: name }), message: `Node ${nodeName(node)} uses the tool "${name}", which the flow does not define` });
      }
    }
    for (const name of secretsUsedBy(node)) checkSecret(name, { node });
    if (node.type === 'action' && node.data.action.kind === 'goto_flow' && context.flows && !context.flows.includes(node.data.action.flowId)) {
      error({ code: 'unknown_flow', nodeId: node.id, params: aboutNode(node), message: `Node ${nodeName(node)} goes to a flow this chatbot does not have` });
    }
    if (node.type === 'question' && new Set(node.data.choices.map((c) => c.id)).size !== node.data.choices.length) {
      error({ code: 'duplicate_choice', nodeId: node.id, params: aboutNode(node), message: `Node ${nodeName(node)} has two choices with the same id` });
    }
    if (node.type === 'condition') {
      for (const rule of node.data.rules) {
        if (rule.when.kind === 'variable' && rule.when.operator === 'matches' && !validRegex(rule.when.value ?? '')) {
          error({ code: 'invalid_pattern', nodeId: node.id, params: aboutNode(node, { rule: rule.label ?? rule.id }), message: `Node ${nodeName(node)} has an invalid pattern in rule "${rule.label ?? rule.id}"` });
        }
      }
    }
  }
  for (const tool of doc.tools) {
    if (tool.request.auth.kind !== 'none') checkSecret(tool.request.auth.secret, { tool: tool.name });
  }
  return issues;
}

function validRegex(pattern: string) {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

export const hasErrors = (issues: FlowIssue[]) => issues.some((i) => i.severity === 'error');
