/**
 * Pure logic of the visual flow editor: undo/redo history, edits of a flow document (add, move,
 * connect, duplicate, delete) and JSON import. No React here, so it is unit-tested directly and
 * the canvas stays a thin view over a `FlowDocument`.
 */
import {
  flowDocument,
  nodeOutputs,
  type FlowDocument,
  type FlowEdge,
  type FlowIssue,
  type FlowNode,
  type FlowNodeType,
} from '../../../functions/core/flows/schema';

// ---- history -------------------------------------------------------------------------------------

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** Edits with the same key in a row (typing in one field) merge into one undo step. */
  lastKey?: string;
}

/** Enough for a long editing session without keeping unbounded copies of a large flow. */
export const HISTORY_LIMIT = 100;

export const historyOf = <T>(present: T): History<T> => ({ past: [], present, future: [] });

export function pushHistory<T>(h: History<T>, next: T, key?: string): History<T> {
  if (next === h.present) return h;
  if (key !== undefined && key === h.lastKey) return { ...h, present: next, future: [] };
  const past = [...h.past, h.present];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { past, present: next, future: [], lastKey: key };
}

/** Replace the present without an undo step (a drag in progress: its start was checkpointed). */
export const replacePresent = <T>(h: History<T>, next: T): History<T> => ({ ...h, present: next });

export function undo<T>(h: History<T>): History<T> {
  const previous = h.past.at(-1);
  if (previous === undefined) return h;
  return { past: h.past.slice(0, -1), present: previous, future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  const [next, ...future] = h.future;
  if (next === undefined) return h;
  return { past: [...h.past, h.present], present: next, future };
}

export const canUndo = (h: History<unknown>) => h.past.length > 0;
export const canRedo = (h: History<unknown>) => h.future.length > 0;

// ---- ids ------------------------------------------------------------------------------------------

/** The first `<prefix>_<n>` not yet used (readable ids: they show up in validation messages). */
export function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`${prefix}_${n}`)) return `${prefix}_${n}`;
}

export function freshEdgeId(doc: FlowDocument): string {
  return freshId('e', doc.edges.map((e) => e.id));
}

// ---- new nodes ------------------------------------------------------------------------------------

/** Texts a new node starts with, in the editor's language (they are what the visitor sees). */
export interface NodeDefaults {
  message: string;
  question: string;
  choiceA: string;
  choiceB: string;
  input: string;
  ai: string;
}

export const PALETTE_TYPES = ['message', 'question', 'input', 'condition', 'knowledge', 'ai', 'api_call', 'action', 'webhook'] as const satisfies readonly FlowNodeType[];
export type PaletteType = (typeof PALETTE_TYPES)[number];

/** A node of `type` with valid data, so a flow stays savable right after a drop. */
export function createNode(type: PaletteType, id: string, position: { x: number; y: number }, text: NodeDefaults): FlowNode {
  const base = { id, position };
  switch (type) {
    case 'message':
      return { ...base, type, data: { text: text.message, delayMs: 0 } };
    case 'question':
      return {
        ...base,
        type,
        data: {
          prompt: text.question,
          variable: 'choice',
          choices: [
            { id: 'a', label: text.choiceA },
            { id: 'b', label: text.choiceB },
          ],
          display: 'buttons',
          allowFreeText: false,
          retries: 2,
        },
      };
    case 'input':
      return { ...base, type, data: { prompt: text.input, variable: 'email', validation: 'email', retries: 2, allowSkip: false } };
    case 'condition':
      return { ...base, type, data: { rules: [{ id: 'r1', when: { kind: 'variable', variable: 'choice', operator: 'is_set' } }] } };
    case 'knowledge':
      return { ...base, type, data: {} };
    case 'ai':
      return { ...base, type, data: { prompt: text.ai, reply: true, extract: [], tools: [], maxSteps: 3 } };
    case 'api_call':
      return {
        ...base,
        type,
        data: {
          request: { method: 'GET', url: 'https://example.com/api', headers: [], auth: { kind: 'none' }, timeoutMs: 10_000 },
          mapping: [],
        },
      };
    case 'action':
      return { ...base, type, data: { action: { kind: 'handoff' } } };
    case 'webhook':
      return { ...base, type, data: { event: 'lead.captured', variables: [] } };
  }
}

// ---- edits ----------------------------------------------------------------------------------------

export function addNode(doc: FlowDocument, node: FlowNode): FlowDocument {
  return { ...doc, nodes: [...doc.nodes, node] };
}

export function moveNodes(doc: FlowDocument, positions: Map<string, { x: number; y: number }>): FlowDocument {
  if (positions.size === 0) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)) };
}

/** Edges that leave through an output the node no longer has (a removed choice) go with it. */
function withoutStaleEdges(doc: FlowDocument): FlowDocument {
  const outputs = new Map(doc.nodes.map((n) => [n.id, new Set(nodeOutputs(n))]));
  const edges = doc.edges.filter((e) => outputs.get(e.source)?.has(e.sourceHandle) && outputs.has(e.target));
  return edges.length === doc.edges.length ? doc : { ...doc, edges };
}

/** Replace one node (its data or label); edges from outputs it lost are dropped. */
export function updateNode(doc: FlowDocument, node: FlowNode): FlowDocument {
  return withoutStaleEdges({ ...doc, nodes: doc.nodes.map((n) => (n.id === node.id ? node : n)) });
}

/** An output leads to one node: connecting it again replaces the previous edge. `target` null unwires it. */
export function connect(doc: FlowDocument, source: string, sourceHandle: string, target: string | null): FlowDocument {
  const kept = doc.edges.filter((e) => !(e.source === source && e.sourceHandle === sourceHandle));
  if (target === null) return { ...doc, edges: kept };
  if (target === source || !doc.nodes.some((n) => n.id === target)) return doc;
  const edge: FlowEdge = { id: freshEdgeId(doc), source, sourceHandle, target };
  return { ...doc, edges: [...kept, edge] };
}

/** Delete nodes (never the start: a flow needs one) and every edge touching them. */
export function removeNodes(doc: FlowDocument, ids: Iterable<string>): FlowDocument {
  const gone = new Set([...ids].filter((id) => doc.nodes.find((n) => n.id === id)?.type !== 'start'));
  if (gone.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

export function removeEdges(doc: FlowDocument, ids: Iterable<string>): FlowDocument {
  const gone = new Set(ids);
  return gone.size === 0 ? doc : { ...doc, edges: doc.edges.filter((e) => !gone.has(e.id)) };
}

/**
 * Copy nodes next to the originals, with the edges between copied nodes (edges to the rest of the
 * flow are not copied: an output leads to one node). Returns the new document and the copies' ids.
 */
export function duplicateNodes(doc: FlowDocument, ids: Iterable<string>): { doc: FlowDocument; ids: string[] } {
  const originals = doc.nodes.filter((n) => n.type !== 'start' && [...ids].includes(n.id));
  const taken = doc.nodes.map((n) => n.id);
  const renamed = new Map<string, string>();
  for (const n of originals) {
    const id = freshId(n.type, taken);
    taken.push(id);
    renamed.set(n.id, id);
  }
  const copies = originals.map((n) => ({ ...structuredClone(n), id: renamed.get(n.id)!, position: { x: n.position.x + 40, y: n.position.y + 40 } }));
  let next: FlowDocument = { ...doc, nodes: [...doc.nodes, ...copies] };
  for (const e of doc.edges) {
    if (renamed.has(e.source) && renamed.has(e.target)) next = connect(next, renamed.get(e.source)!, e.sourceHandle, renamed.get(e.target)!);
  }
  return { doc: next, ids: [...renamed.values()] };
}

// ---- import / export ------------------------------------------------------------------------------

export type ImportResult = { ok: true; document: FlowDocument } | { ok: false; errors: string[] };

/**
 * Read an exported flow. Accepts the document itself or `{ document }` / `{ draft }` wrappers (a
 * flow or version as the API returns it), and checks it against the same schema the server uses.
 */
export function parseFlowJson(text: string): ImportResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`JSON: ${(e as Error).message}`] };
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && !('nodes' in value)) {
    const wrapped = (value as { document?: unknown; draft?: unknown }).document ?? (value as { draft?: unknown }).draft;
    if (wrapped !== undefined) value = wrapped;
  }
  const parsed = flowDocument.safeParse(value);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const starts = parsed.data.nodes.filter((n) => n.type === 'start').length;
  if (starts !== 1) return { ok: false, errors: ['nodes: a flow needs exactly one start node'] };
  const ids = new Set<string>();
  for (const n of parsed.data.nodes) {
    if (ids.has(n.id)) return { ok: false, errors: [`nodes: the id "${n.id}" is used twice`] };
    ids.add(n.id);
  }
  return { ok: true, document: parsed.data };
}

export const exportFlowJson = (doc: FlowDocument) => JSON.stringify(doc, null, 2);

/** A file name for a flow's export: its name in kebab case. */
export function exportFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${slug || 'flow'}.flow.json`;
}

// ---- local checks ---------------------------------------------------------------------------------

/**
 * Where the document breaks the schema, per node (before the server is asked): the autosave waits
 * for these. Worded like the server's issues (`invalid_config`, naming the node and the setting).
 */
export function schemaProblems(doc: FlowDocument): FlowIssue[] {
  const parsed = flowDocument.safeParse(doc);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const [area, index, ...rest] = issue.path;
    const node = area === 'nodes' && typeof index === 'number' ? doc.nodes[index] : undefined;
    const field = node ? rest.filter((part) => part !== 'data').join('.') || String(area) : issue.path.join('.');
    const params: Record<string, string> = node ? { node: node.id, ...(node.label ? { label: node.label } : {}), field } : { field };
    return { code: 'invalid_config', severity: 'error', nodeId: node?.id, params, message: `${issue.path.join('.')}: ${issue.message}` };
  });
}

/**
 * True when two documents differ at most in where their nodes sit (a drag): checks that ignore
 * layout can keep their last answer instead of running on every frame of the drag.
 */
export function sameButPositions(a: FlowDocument, b: FlowDocument): boolean {
  if (a === b) return true;
  if (a.edges !== b.edges || a.variables !== b.variables || a.tools !== b.tools || a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n === m || (n.id === m.id && n.type === m.type && n.label === m.label && n.data === m.data);
  });
}

// ---- generated flows (benchmarks, tests) ------------------------------------------------------------

/** A chain of `count` nodes on a grid (messages, questions and conditions), wired end to end. */
export function generateLargeFlow(count: number): FlowDocument {
  const nodes: FlowNode[] = [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} }];
  const edges: FlowEdge[] = [];
  const columns = 20;
  for (let i = 1; i < count; i++) {
    const position = { x: (i % columns) * 320, y: Math.floor(i / columns) * 220 };
    const id = `n_${i}`;
    if (i % 3 === 0) {
      nodes.push({
        id,
        type: 'question',
        position,
        data: { prompt: `Question ${i}?`, variable: `q${i}`, choices: [{ id: 'a', label: 'Yes' }, { id: 'b', label: 'No' }], display: 'buttons', allowFreeText: false, retries: 2 },
      });
    } else {
      nodes.push({ id, type: 'message', position, data: { text: `Message number ${i} with some text`, delayMs: 0 } });
    }
    const previous = nodes[i - 1]!;
    edges.push({ id: `e_${i}`, source: previous.id, sourceHandle: nodeOutputs(previous)[0]!, target: id });
  }
  return flowDocument.parse({ nodes, edges });
}

/** An undo step before a drag: the drag then moves the present in place and one undo puts it back. */
export const checkpoint = <T>(h: History<T>): History<T> => {
  const past = [...h.past, h.present];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { past, present: h.present, future: [] };
};

/** Room a node takes on the canvas (about; questions are taller), for placing new nodes. */
const NODE_BOX = { width: 260, height: 190 };

/** The first spot at or below `wanted` that no node covers, so added nodes never hide others. */
export function freeSpot(doc: FlowDocument, wanted: { x: number; y: number }): { x: number; y: number } {
  let spot = { x: Math.round(wanted.x), y: Math.round(wanted.y) };
  for (let tries = 0; tries < 100; tries++) {
    const covered = doc.nodes.some((n) => Math.abs(n.position.x - spot.x) < NODE_BOX.width && Math.abs(n.position.y - spot.y) < NODE_BOX.height);
    if (!covered) return spot;
    spot = { x: spot.x, y: spot.y + NODE_BOX.height };
  }
  return spot;
}
