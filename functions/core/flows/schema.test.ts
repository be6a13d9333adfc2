import { describe, expect, it } from 'vitest';
import { emptyFlow, flowDocument, nodeOutputs } from './schema';

describe('flow document', () => {
  it('starts empty with one start node and the default loop guards', () => {
    const flow = emptyFlow();
    expect(flow.nodes.map((n) => n.type)).toEqual(['start']);
    expect(flow.settings).toEqual({ stepLimit: 25, nodeTimeoutMs: 10_000 });
  });

  it('names one output per choice, and `other` only when free text is allowed', () => {
    const doc = flowDocument.parse({
      nodes: [
        {
          id: 'q',
          type: 'question',
          position: { x: 0, y: 0 },
          data: { prompt: '¿Qué necesitas?', variable: 'topic', choices: [{ id: 'a', label: 'Pedido' }, { id: 'b', label: 'Otro' }] },
        },
      ],
      edges: [],
    });
    expect(nodeOutputs(doc.nodes[0]!)).toEqual(['choice:a', 'choice:b', 'invalid']);
    const free = { ...doc.nodes[0]!, data: { ...(doc.nodes[0]!.data as object), allowFreeText: true } };
    expect(nodeOutputs(flowDocument.shape.nodes.element.parse(free))).toEqual(['choice:a', 'choice:b', 'other']);
  });

  it('gives terminal actions no output', () => {
    const node = flowDocument.shape.nodes.element.parse({
      id: 'h',
      type: 'action',
      position: { x: 0, y: 0 },
      data: { action: { kind: 'handoff' } },
    });
    expect(nodeOutputs(node)).toEqual([]);
  });

  it('refuses a variable name that cannot be a placeholder', () => {
    const parsed = flowDocument.safeParse({
      nodes: [{ id: 'i', type: 'input', position: { x: 0, y: 0 }, data: { prompt: 'Email?', variable: 'e-mail' } }],
      edges: [],
    });
    expect(parsed.success).toBe(false);
  });
});
