import { describe, expect, it } from 'vitest';
import { emptyFlow, nodeOutputs, type FlowDocument, type FlowNode } from '../../../functions/core/flows/schema';
import {
  addNode,
  canRedo,
  canUndo,
  checkpoint,
  connect,
  createNode,
  duplicateNodes,
  exportFileName,
  exportFlowJson,
  generateLargeFlow,
  HISTORY_LIMIT,
  historyOf,
  moveNodes,
  parseFlowJson,
  pushHistory,
  redo,
  removeNodes,
  replacePresent,
  sameButPositions,
  schemaProblems,
  undo,
  updateNode,
} from './flow-editor';

const text = { message: 'Hi', question: 'Which?', choiceA: 'A', choiceB: 'B', input: 'Email?', ai: 'Answer' };

function leadFlow(): FlowDocument {
  let doc = emptyFlow();
  doc = addNode(doc, createNode('question', 'question_1', { x: 300, y: 0 }, text));
  doc = addNode(doc, createNode('input', 'input_1', { x: 600, y: 0 }, text));
  doc = connect(doc, 'start', 'next', 'question_1');
  doc = connect(doc, 'question_1', 'choice:a', 'input_1');
  return doc;
}

describe('undo/redo history', () => {
  it('undoes and redoes edits in order, and a new edit drops the redo branch', () => {
    let h = historyOf(1);
    h = pushHistory(h, 2);
    h = pushHistory(h, 3);
    h = undo(h);
    expect(h.present).toBe(2);
    h = undo(h);
    expect(h.present).toBe(1);
    expect(canUndo(h)).toBe(false);
    h = redo(h);
    expect(h.present).toBe(2);
    h = pushHistory(h, 10);
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe(2);
  });

  it('merges edits with the same key (typing in one field) into one step', () => {
    let h = historyOf('');
    h = pushHistory(h, 'h', 'n1:text');
    h = pushHistory(h, 'he', 'n1:text');
    h = pushHistory(h, 'hey', 'n1:text');
    h = pushHistory(h, 'hey!', 'n2:text');
    expect(undo(h).present).toBe('hey');
    expect(undo(undo(h)).present).toBe('');
  });

  it('a drag is one step: checkpoint, then moves replace the present', () => {
    let h = historyOf({ x: 0 });
    h = checkpoint(h);
    h = replacePresent(h, { x: 5 });
    h = replacePresent(h, { x: 9 });
    expect(h.present).toEqual({ x: 9 });
    expect(undo(h).present).toEqual({ x: 0 });
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    let h = historyOf(0);
    for (let i = 1; i <= HISTORY_LIMIT + 20; i++) h = pushHistory(h, i);
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]).toBe(20);
  });

  it('ignores undo and redo with nothing to undo or redo', () => {
    const h = historyOf('x');
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
  });
});

describe('document edits', () => {
  it('new nodes from the palette are valid as dropped', () => {
    let doc = emptyFlow();
    for (const type of ['message', 'question', 'input', 'condition', 'knowledge', 'ai', 'api_call', 'action', 'webhook'] as const) {
      doc = addNode(doc, createNode(type, `${type}_1`, { x: 0, y: 0 }, text));
    }
    expect(schemaProblems(doc)).toEqual([]);
  });

  it('an output leads to one node: connecting it again replaces the edge', () => {
    let doc = leadFlow();
    doc = addNode(doc, createNode('message', 'message_1', { x: 0, y: 300 }, text));
    doc = connect(doc, 'question_1', 'choice:a', 'message_1');
    expect(doc.edges.filter((e) => e.source === 'question_1')).toEqual([expect.objectContaining({ sourceHandle: 'choice:a', target: 'message_1' })]);
    expect(connect(doc, 'question_1', 'choice:a', null).edges.some((e) => e.source === 'question_1')).toBe(false);
  });

  it('refuses self-loops and unknown targets', () => {
    const doc = leadFlow();
    expect(connect(doc, 'input_1', 'next', 'input_1')).toBe(doc);
    expect(connect(doc, 'input_1', 'next', 'nope')).toBe(doc);
  });

  it('removing a choice removes the edge that left through it', () => {
    const doc = leadFlow();
    const question = doc.nodes.find((n) => n.id === 'question_1')!;
    if (question.type !== 'question') throw new Error('expected a question');
    const edited = updateNode(doc, { ...question, data: { ...question.data, choices: [{ id: 'b', label: 'B' }] } });
    expect(edited.edges.some((e) => e.sourceHandle === 'choice:a')).toBe(false);
    expect(edited.edges).toHaveLength(1);
  });

  it('deletes nodes with their edges, but never the start node', () => {
    const doc = removeNodes(leadFlow(), ['start', 'question_1']);
    expect(doc.nodes.map((n) => n.id)).toEqual(['start', 'input_1']);
    expect(doc.edges).toEqual([]);
  });

  it('duplicates nodes with fresh ids and the edges between them', () => {
    const { doc, ids } = duplicateNodes(leadFlow(), ['question_1', 'input_1', 'start']);
    expect(ids).toEqual(['question_2', 'input_2']);
    expect(doc.edges).toContainEqual(expect.objectContaining({ source: 'question_2', sourceHandle: 'choice:a', target: 'input_2' }));
    expect(doc.nodes.find((n) => n.id === 'question_2')!.position).toEqual({ x: 340, y: 40 });
  });

  it('moves nodes', () => {
    const doc = moveNodes(leadFlow(), new Map([['input_1', { x: 1, y: 2 }]]));
    expect(doc.nodes.find((n) => n.id === 'input_1')!.position).toEqual({ x: 1, y: 2 });
  });

  it('names the node whose data breaks the schema', () => {
    const doc = leadFlow();
    const input = doc.nodes.find((n) => n.id === 'input_1')!;
    const broken = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'input_1' ? { ...input, data: { ...input.data, variable: '1bad' } } : n)) } as FlowDocument;
    expect(schemaProblems(broken)).toEqual([expect.objectContaining({ code: 'invalid_config', nodeId: 'input_1', params: { node: 'input_1', field: 'variable' } })]);
  });
});

describe('JSON import and export', () => {
  it('reads back what it exports', () => {
    const doc = leadFlow();
    expect(parseFlowJson(exportFlowJson(doc))).toEqual({ ok: true, document: doc });
  });

  it('accepts a flow or a version as the API returns them', () => {
    const doc = leadFlow();
    expect(parseFlowJson(JSON.stringify({ id: 'x', draft: doc })).ok).toBe(true);
    expect(parseFlowJson(JSON.stringify({ version: 2, document: doc })).ok).toBe(true);
  });

  it('refuses text that is not JSON, a wrong shape, no start node or duplicate ids', () => {
    expect(parseFlowJson('{nope')).toMatchObject({ ok: false });
    const wrong = parseFlowJson(JSON.stringify({ nodes: [{ id: 'a', type: 'teleport', position: { x: 0, y: 0 }, data: {} }], edges: [] }));
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors[0]).toMatch(/^nodes\.0/);
    const noStart = { ...leadFlow(), nodes: leadFlow().nodes.filter((n) => n.type !== 'start'), edges: [] };
    expect(parseFlowJson(JSON.stringify(noStart))).toMatchObject({ ok: false, errors: [expect.stringMatching(/start/)] });
    const twice = { ...leadFlow(), nodes: [...leadFlow().nodes, leadFlow().nodes[1]!] };
    expect(parseFlowJson(JSON.stringify(twice))).toMatchObject({ ok: false, errors: [expect.stringMatching(/twice/)] });
  });

  it('names export files after the flow', () => {
    expect(exportFileName('Captación de leads!')).toBe('captacion-de-leads.flow.json');
    expect(exportFileName('***')).toBe('flow.flow.json');
  });
});

describe('generated flows', () => {
  it('builds a valid chain of the requested size', () => {
    const doc = generateLargeFlow(300);
    expect(doc.nodes).toHaveLength(300);
    expect(doc.edges).toHaveLength(299);
    expect(schemaProblems(doc)).toEqual([]);
    for (const e of doc.edges) expect(nodeOutputs(doc.nodes.find((n) => n.id === e.source)!)).toContain(e.sourceHandle);
  });

  it('tells a drag (positions only) from an edit, so layout-blind checks are not redone per frame', () => {
    const doc = leadFlow();
    expect(sameButPositions(doc, moveNodes(doc, new Map([['input_1', { x: 5, y: 5 }]])))).toBe(true);
    expect(sameButPositions(doc, connect(doc, 'input_1', 'next', 'question_1'))).toBe(false);
    const question = doc.nodes.find((n) => n.id === 'question_1')!;
    expect(sameButPositions(doc, updateNode(doc, { ...question, label: 'Pregunta' } as FlowNode))).toBe(false);
  });
});
